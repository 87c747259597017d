"""Stopping engagement messages in one tap: signed single-purpose links with no
sign-in, the mail client's one-click unsubscribe (RFC 8058), both recorded, and
taking effect on the very next message."""

import html as html_lib
import logging
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from audit.models import AuditEntry
from notifications.models import Message, NotificationPreference, Topic
from notifications.services import message_deliver, message_queue, notifications_stop
from notifications.stop_links import Scope, StopLink, stop_token, stop_token_read, stop_url
from portal.log_filters import secrets_redacted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Sam", "link": "https://portal.example/children/1/"}


@pytest.fixture
def parent():
    return UserFactory(email="ffion.pritchard@example.org", mobile="+447700900123")


def path_of(url: str) -> str:
    return urlsplit(url).path


def preference(user) -> NotificationPreference:
    return NotificationPreference.objects.get(user=user)


def queue(recipient, *, channel=Message.Channel.EMAIL, template="outbox_test", key="m-1"):
    return message_queue(
        recipient=recipient,
        channel=channel,
        kind=Message.Kind.ENGAGEMENT,
        template=template,
        context=CONTEXT,
        idempotency_key=key,
    )


# The token -------------------------------------------------------------------


@pytest.mark.parametrize("scope", Scope.ALL)
def test_a_token_says_whose_messages_it_stops_and_which(scope):
    token = stop_token(user_id=48213, scope=scope)

    assert stop_token_read(token) == StopLink(user_id=48213, scope=scope)
    assert len(token) < 30  # short enough for a text


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: "1" + token,  # another account
        lambda token: token.replace(".a.", ".e.", 1),  # another scope
        lambda token: token.rsplit(".", 1)[0],  # no signature
        lambda token: "",
        lambda token: "not-a-token",
        lambda token: "zzzzzzzzzzzzzzzzzz.a." + token.rsplit(".", 1)[1],
    ],
    ids=["signature", "account", "scope", "unsigned", "empty", "junk", "huge-id"],
)
def test_a_changed_token_is_refused(tamper):
    token = stop_token(user_id=48213, scope=Topic.AWARDS)

    assert stop_token_read(tamper(token)) is None


def test_a_token_is_good_only_for_stopping_messages(settings):
    """Signed under a salt of its own: a value signed for anything else with the
    same key is not a stop token, and a stop token signs nothing else."""
    from django.core import signing

    other = signing.Signer(salt="something.else").sign("2s.a")
    assert stop_token_read(other.replace(":", ".")) is None


def test_a_token_signed_before_a_key_rotation_still_works(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 50
    token = stop_token(user_id=7, scope=Scope.EMAIL)
    settings.SECRET_KEY = "new-key-" + "y" * 50

    assert stop_token_read(token) is None
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert stop_token_read(token) == StopLink(user_id=7, scope=Scope.EMAIL)


def test_the_link_is_on_the_portals_address(settings):
    settings.SITE_URL = "https://learning.example.sch.uk"

    url = stop_url(user_id=7, scope=Topic.REMINDERS)

    assert url.startswith("https://learning.example.sch.uk/stop/")
    assert stop_token_read(url.rstrip("/").rsplit("/", 1)[1]).scope == Topic.REMINDERS


# Following the link ----------------------------------------------------------


def test_opening_a_topic_link_stops_that_topic_at_once_without_signing_in(client, parent):
    url = stop_url(user_id=parent.pk, scope=Topic.AWARDS)

    response = client.get(path_of(url))

    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert "Messages stopped" in page
    assert "messages about the awards your child earns" in page
    assert "Turn them back on" in page
    assert "Stop all news emails" in page
    stored = preference(parent)
    assert (stored.awards, stored.new_work, stored.reminders) == (False, True, True)
    assert (stored.engagement_email, stored.engagement_sms) == (True, True)
    entry = AuditEntry.objects.get(action="notification_preference.stop")
    assert entry.actor_id == parent.pk
    assert entry.changes == {"awards": False, "via": "link"}


def test_opening_the_link_again_changes_and_records_nothing_more(client, parent):
    url = path_of(stop_url(user_id=parent.pk, scope=Topic.NEW_WORK))

    client.get(url)
    response = client.get(url)

    assert response.status_code == 200
    assert preference(parent).new_work is False
    assert AuditEntry.objects.filter(action="notification_preference.stop").count() == 1


def test_the_all_email_link_stops_every_engagement_email_and_keeps_texts(client, parent):
    client.get(path_of(stop_url(user_id=parent.pk, scope=Scope.EMAIL)))

    stored = preference(parent)
    assert stored.engagement_email is False
    assert stored.engagement_sms is True
    assert queue(parent, key="after-email") is None
    assert queue(parent, channel=Message.Channel.SMS, key="after-sms") is not None


def test_the_text_link_stops_engagement_texts_and_keeps_email(client, parent):
    client.get(path_of(stop_url(user_id=parent.pk, scope=Scope.SMS)))

    assert preference(parent).engagement_sms is False
    assert queue(parent, channel=Message.Channel.SMS, key="after-sms") is None
    assert queue(parent, key="after-email") is not None


def test_turning_them_back_on_from_the_page(parent):
    client = Client(enforce_csrf_checks=True)
    url = path_of(stop_url(user_id=parent.pk, scope=Topic.REMINDERS))
    page = client.get(url)
    token = client.cookies["csrftoken"].value

    response = client.post(f"{url}undo/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 200
    assert "Messages turned back on" in response.content.decode()
    assert preference(parent).reminders is True
    assert page.status_code == 200
    resumed = AuditEntry.objects.get(action="notification_preference.resume")
    assert resumed.changes == {"reminders": True, "via": "undo"}


def test_turning_them_back_on_needs_the_pages_form(parent):
    """The undo is an ordinary form: a cross-site POST without its CSRF token is
    refused (only the mail client's one-click POST goes without)."""
    client = Client(enforce_csrf_checks=True)
    url = path_of(stop_url(user_id=parent.pk, scope=Topic.REMINDERS))
    client.get(url)

    response = Client(enforce_csrf_checks=True).post(f"{url}undo/")

    assert response.status_code == 403
    assert preference(parent).reminders is False


def test_a_stopped_topic_stops_its_messages_on_both_channels(parent):
    notifications_stop(user=parent, scope=Topic.NEW_WORK, via="link")

    assert queue(parent, key="e") is None
    assert queue(parent, channel=Message.Channel.SMS, key="s") is None


def test_a_message_already_queued_is_not_sent_after_its_topic_is_stopped(parent):
    message = queue(parent)
    notifications_stop(user=parent, scope=Topic.NEW_WORK, via="link")

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    assert mail.outbox == []


def test_service_messages_still_go_after_every_stop(parent):
    for scope in Scope.ALL:
        notifications_stop(user=parent, scope=scope, via="link")

    message = message_queue(
        recipient=parent,
        channel=Message.Channel.EMAIL,
        kind=Message.Kind.SERVICE,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="service",
    )
    assert message is not None


@pytest.mark.parametrize(
    "token", ["not-a-token", "2s.a.AAAAAAAAAAAAAAAA", stop_token(user_id=99999999, scope="sms")]
)
def test_a_link_that_does_not_work_says_so_and_changes_nothing(client, parent, token):
    response = client.get(f"/stop/{token}/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="notification_preference").exists()


def test_a_closed_account_is_told_and_nothing_is_kept(client, parent):
    from accounts.services import account_close

    account_close(user=parent, actor=parent, reason="test")

    response = client.get(path_of(stop_url(user_id=parent.pk, scope=Topic.AWARDS)))

    assert response.status_code == 200
    assert "This account is closed" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=parent).exists()


# One click from the mail client (RFC 8058) -------------------------------------


def test_the_mail_clients_one_click_post_stops_engagement_email(parent):
    client = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: as a mail client
    url = path_of(stop_url(user_id=parent.pk, scope=Scope.EMAIL))

    response = client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert preference(parent).engagement_email is False
    entry = AuditEntry.objects.get(action="notification_preference.stop")
    assert entry.changes == {"engagement_email": False, "via": "one-click"}


def test_a_one_click_post_with_a_bad_token_is_refused(parent):
    response = Client(enforce_csrf_checks=True).post(
        "/stop/2s.e.AAAAAAAAAAAAAAAA/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_an_engagement_email_carries_the_one_click_headers(parent, settings):
    settings.SITE_URL = "https://learning.example.sch.uk"
    message = queue(parent)

    message_deliver(message_id=message.pk)

    headers = mail.outbox[0].extra_headers
    link = stop_url(user_id=parent.pk, scope=Scope.EMAIL)
    assert headers["List-Unsubscribe"] == f"<{link}>"
    assert link.startswith("https://learning.example.sch.uk/stop/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent = mail.outbox[0].message()
    assert sent["List-Unsubscribe"] == f"<{link}>"


@pytest.mark.parametrize("kind", [Message.Kind.SERVICE, Message.Kind.LEGAL])
def test_messages_that_cannot_be_turned_off_carry_no_unsubscribe_header(parent, kind):
    message = message_queue(
        recipient=parent,
        channel=Message.Channel.EMAIL,
        kind=kind,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="service",
    )

    message_deliver(message_id=message.pk)

    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert "List-Unsubscribe-Post" not in mail.outbox[0].extra_headers


def test_an_engagement_emails_footer_gets_its_stop_links(parent, monkeypatch):
    """The outbox hands every engagement email's template its two stop links and
    the settings page; the layout's footer shows them."""
    from notifications.services import rendering

    seen = {}
    real = rendering.message_render

    def spy(*, channel, template, context, sms_ending=""):
        seen.update(context)
        return real(channel=channel, template=template, context=context, sms_ending=sms_ending)

    monkeypatch.setattr(rendering, "message_render", spy)
    queue(parent, template="outbox_test")

    assert stop_token_read(seen["stop_kind_url"].rstrip("/").rsplit("/", 1)[1]) == StopLink(
        user_id=parent.pk, scope=Topic.NEW_WORK
    )
    assert stop_token_read(seen["stop_all_url"].rstrip("/").rsplit("/", 1)[1]) == StopLink(
        user_id=parent.pk, scope=Scope.EMAIL
    )
    assert seen["stop_kind_label"] == "messages about new work"
    assert seen["settings_url"].endswith("/notifications/preferences/")


def test_an_engagement_template_without_a_topic_is_refused(parent):
    """Every engagement message must be one a parent can stop on its own."""
    with pytest.raises(ValueError, match="has no topic"):
        queue(parent, template="invitation")


def test_the_token_never_reaches_the_logs():
    token = stop_token(user_id=5, scope=Scope.EMAIL)

    line = secrets_redacted(f'"GET /stop/{token}/ HTTP/1.1" 200')

    assert token not in line
    assert "/stop/[redacted]/" in line


def test_opening_the_link_logs_no_token(client, parent, caplog):
    token = stop_token(user_id=parent.pk, scope=Topic.AWARDS)
    with caplog.at_level(logging.INFO):
        client.get(f"/stop/{token}x/")  # refused: Django logs the path

    assert token not in caplog.text
