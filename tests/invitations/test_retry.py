"""A school admin retries, from the tracker, an invitation whose messages failed
(the provider was down for longer than the retries last): the same link goes
again, once, and the invitation's status follows it as before."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from invitations.models import Invitation
from notifications.models import Message
from notifications.services import message_deliver
from tests.factories import SchoolClassFactory, SchoolFactory, admin_of
from tests.invitations.test_pages import family, invite, list_url, messages_of

pytestmark = pytest.mark.django_db


class DownEmailBackend:
    """An SMTP server that refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")


@pytest.fixture
def oak(school):
    return SchoolClassFactory(school=school, name="Oak")


def failed_invitation(school, admin, oak, settings, **parent_fields):
    """An invitation by email whose message failed after its last attempt."""
    _, pupils = family(oak, email=parent_fields.pop("email", "dana@example.org"), **parent_fields)
    (invitation,) = invite(school, admin, pupils, channels="email")
    settings.EMAIL_BACKEND = "tests.invitations.test_retry.DownEmailBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 1
    for message in Message.objects.filter(reference=f"invitation:{invitation.pk}"):
        message_deliver(message_id=message.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 9
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.FAILED
    return invitation


def retry_url(school, invitation):
    return reverse("invitations:retry", args=[school.pk, invitation.pk])


def _row(html: str, name: str) -> str:
    start = html.index(f'<td data-label="Family">{name}</td>')
    return html[start : html.index("</tr>", start)]


def test_the_retry_url_keeps_its_path(school):
    assert retry_url(school, Invitation(pk=7)) == f"/schools/{school.pk}/invitations/7/retry/"


def test_tracker_offers_retry_only_for_a_failed_invitation_whose_link_still_works(
    school_admin_client, school, admin, oak, settings
):
    failed_invitation(school, admin, oak, settings, first_name="Dana", last_name="Ortiz")
    expired = failed_invitation(
        school, admin, oak, settings, first_name="Eve", last_name="Old", email="eve@example.org"
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    _, pupils = family(oak, first_name="Lee", last_name="Ling", email="lee@example.org")
    invite(school, admin, pupils, channels="email")
    _, pupils = family(oak, first_name="Kim", last_name="Nomail", email="", mobile="")
    (no_contact,) = invite(school, admin, pupils, channels="email")
    assert no_contact.status == Invitation.Status.FAILED

    html = school_admin_client.get(list_url(school)).content.decode()

    assert "Retry" in _row(html, "Dana Ortiz")
    assert "Retry" not in _row(html, "Eve Old")  # expired: only Resend (a new link) helps
    assert "Retry" not in _row(html, "Lee Ling")  # pending: nothing failed
    assert "Retry" not in _row(html, "Kim Nomail")  # no message was ever sent


def test_retrying_sends_the_same_link_once_and_the_invitation_follows_it(
    school_admin_client, school, admin, oak, settings, django_capture_on_commit_callbacks
):
    invitation = failed_invitation(
        school, admin, oak, settings, first_name="Dana", last_name="Ortiz"
    )
    message = Message.objects.get(reference=f"invitation:{invitation.pk}")
    token_hash, expires_at = invitation.token_hash, invitation.expires_at
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = school_admin_client.post(
            retry_url(school, invitation), {"next": list_url(school)}, follow=True
        )

    assert response.redirect_chain == [(list_url(school), 302)]
    assert messages_of(response) == [
        "Sending the invitation to Dana Ortiz again, with the same link. "
        "Its status shows how it goes."
    ]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body == message.body_text  # the same link, not a new one
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert (invitation.token_hash, invitation.expires_at) == (token_hash, expires_at)
    entry = AuditEntry.objects.get(action="invitation.retry")
    assert entry.actor == admin

    # A second press, once it has gone: nothing is sent again.
    with django_capture_on_commit_callbacks(execute=True):
        response = school_admin_client.post(retry_url(school, invitation), follow=True)
    assert len(mail.outbox) == 1
    assert "was not retried" in messages_of(response)[0]


def test_an_expired_failed_invitation_is_not_retried_and_the_admin_is_told_to_resend(
    school_admin_client, school, admin, oak, settings
):
    invitation = failed_invitation(school, admin, oak, settings)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = school_admin_client.post(retry_url(school, invitation), follow=True)

    assert "has expired" in messages_of(response)[0]
    assert "resend" in messages_of(response)[0]
    assert Message.objects.get(reference=f"invitation:{invitation.pk}").status == "failed"
    assert not AuditEntry.objects.filter(action="invitation.retry").exists()


def test_an_invitation_that_failed_for_want_of_a_contact_has_nothing_to_retry(
    school_admin_client, school, admin, oak
):
    _, pupils = family(oak, email="", mobile="")
    (invitation,) = invite(school, admin, pupils, channels="email")
    assert invitation.status == Invitation.Status.FAILED

    response = school_admin_client.post(retry_url(school, invitation), follow=True)

    assert "no email or mobile on record" in messages_of(response)[0]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.FAILED


def test_retry_is_a_post_only_for_the_schools_own_admins(
    client, staff_client, school, admin, oak, settings
):
    invitation = failed_invitation(school, admin, oak, settings)
    other_admin = admin_of(SchoolFactory())

    assert staff_client(admin).get(retry_url(school, invitation)).status_code == 405
    response = staff_client(other_admin).post(retry_url(school, invitation))
    assert response.status_code == 404
    assert Message.objects.get(reference=f"invitation:{invitation.pk}").status == "failed"


def test_tracker_queries_do_not_grow_with_failed_invitations(
    school_admin_client, school, admin, oak, settings
):
    def tracker_queries(expected_retries: int) -> int:
        school_admin_client.get(list_url(school))  # session and caches warmed
        with CaptureQueriesContext(connection) as queries:
            response = school_admin_client.get(list_url(school))
        assert response.content.decode().count("Retry<span") == expected_retries
        return len(queries)

    failed_invitation(school, admin, oak, settings, email="family0@example.org")
    one = tracker_queries(1)
    for serial in range(1, 12):
        failed_invitation(school, admin, oak, settings, email=f"family{serial}@example.org")
    assert tracker_queries(12) == one
