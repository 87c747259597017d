"""Account settings for everyone: name, email (after a link to the new address),
mobile (after a texted code), password, and signing out everywhere else."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import MobileChange, User
from audit.models import AuditEntry, SecurityEvent
from notifications import sms
from notifications.models import Message
from tests.factories import GuardianshipFactory, SchoolClassFactory, UserFactory, teacher_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SETTINGS = "/account/"


@pytest.fixture
def parent():
    return GuardianshipFactory(parent__email="ann@example.org", parent__first_name="Ann").parent


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


def _log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_everyone_has_an_account_page_linked_from_the_header(parent_client):
    page = parent_client.get(SETTINGS).content.decode()

    assert "<h1>Your account</h1>" in page
    assert 'href="/account/"' in page.split("<main")[0]
    assert "child's learning" in page


def test_staff_see_staff_wording(staff_client):
    teacher = teacher_of(SchoolClassFactory())

    page = staff_client(teacher).get(SETTINGS).content.decode()

    assert "Your staff account" in page
    assert "The portal does not text staff" in page
    assert "Get new backup codes" in page
    assert "child's learning" not in page


def test_a_name_change_is_saved_and_audited(parent_client, parent):
    response = parent_client.post(
        reverse("accounts:settings_name"), {"first_name": " Annie ", "last_name": "Jones"}
    )

    assert response.status_code == 302
    parent.refresh_from_db()
    assert (parent.first_name, parent.last_name) == ("Annie", "Jones")
    entry = AuditEntry.objects.get(action="user.rename")
    assert entry.actor == parent
    assert "Annie" not in str(entry.changes)


def test_an_empty_name_is_a_form_error(parent_client):
    response = parent_client.post(
        reverse("accounts:settings_name"), {"first_name": "", "last_name": "Jones"}
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def _ask_email_change(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:settings_email"), {"email": email})


def _link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_new_email_replaces_the_old_only_after_its_link_is_followed(
    parent_client, parent, django_capture_on_commit_callbacks
):
    response = _ask_email_change(
        parent_client, "Ann.New@Example.org", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.email == "ann@example.org", "not before the link is followed"
    [sent] = mail.outbox
    assert sent.to == ["ann.new@example.org"]
    assert Message.objects.filter(to_address="ann.new@example.org", template="account_email")
    assert "We sent a link to" in parent_client.get(SETTINGS).content.decode()
    # Until then, the old address still signs in and the new one does not.
    assert _log_in(Client(), "ann@example.org").status_code == 302
    assert _log_in(Client(), "ann.new@example.org", "nope").status_code == 200

    link = _link_in(sent)
    confirm_page = parent_client.get(link).content.decode()
    assert "Use this address" in confirm_page
    with django_capture_on_commit_callbacks(execute=True):
        parent_client.post(link)

    parent.refresh_from_db()
    assert parent.email == "ann.new@example.org"
    assert EmailAddress.objects.get(user=parent).email == "ann.new@example.org"
    assert _log_in(Client(), "ann.new@example.org").status_code == 302
    assert _log_in(Client(), "ann@example.org").status_code == 200
    told = [m for m in mail.outbox if m.to == ["ann@example.org"]]
    assert told and "ann.new@example.org" in told[0].body
    assert AuditEntry.objects.filter(action="user.email_change", actor=parent).count() == 1


def test_an_address_another_account_has_is_never_taken(
    parent_client, parent, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org")

    response = _ask_email_change(
        parent_client, "taken@example.org", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302, "the page says the same as for any address"
    assert not EmailAddress.objects.filter(user=parent, email="taken@example.org").exists()
    [sent] = mail.outbox
    assert sent.to == ["taken@example.org"]
    assert "/accounts/confirm-email/" not in sent.body
    parent.refresh_from_db()
    assert parent.email == "ann@example.org"


def test_an_address_taken_while_the_link_waits_is_refused(
    parent_client, parent, django_capture_on_commit_callbacks
):
    _ask_email_change(parent_client, "new@example.org", django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])
    UserFactory(email="new@example.org")

    parent_client.post(link)

    parent.refresh_from_db()
    assert parent.email == "ann@example.org"


def test_an_email_change_can_be_cancelled(
    parent_client, parent, django_capture_on_commit_callbacks
):
    _ask_email_change(parent_client, "new@example.org", django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])

    parent_client.post(reverse("accounts:settings_email_cancel"))
    parent_client.post(link)

    parent.refresh_from_db()
    assert parent.email == "ann@example.org"


def _ask_mobile_code(client, mobile, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:settings_mobile"), {"mobile": mobile})


def _texted_code() -> str:
    return re.search(r"code is (\d{6})", sms.outbox[-1].body).group(1)


def test_a_new_mobile_is_the_users_only_after_the_texted_code(
    parent_client, parent, django_capture_on_commit_callbacks
):
    response = _ask_mobile_code(parent_client, "07400 123456", django_capture_on_commit_callbacks)

    assert response["Location"] == reverse("accounts:mobile_confirm")
    assert sms.outbox[-1].to == "+447400123456"
    code = _texted_code()
    change = MobileChange.objects.get(user=parent)
    assert code not in change.code_hash and change.mobile == "+447400123456"
    parent.refresh_from_db()
    assert parent.mobile == ""

    wrong = parent_client.post(
        reverse("accounts:mobile_confirm"), {"code": "000000" if code != "000000" else "111111"}
    )
    assert "4 tries left" in wrong.content.decode()
    right = parent_client.post(reverse("accounts:mobile_confirm"), {"code": code})

    assert right.status_code == 302
    parent.refresh_from_db()
    assert parent.mobile == "+447400123456"
    assert parent.mobile_hash
    assert not MobileChange.objects.filter(user=parent).exists()
    assert AuditEntry.objects.filter(action="user.mobile_change", actor=parent).exists()


def test_five_wrong_codes_end_the_request(
    parent_client, parent, django_capture_on_commit_callbacks
):
    _ask_mobile_code(parent_client, "07400123456", django_capture_on_commit_callbacks)
    code = _texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        parent_client.post(reverse("accounts:mobile_confirm"), {"code": wrong})

    parent_client.post(reverse("accounts:mobile_confirm"), {"code": code})

    parent.refresh_from_db()
    assert parent.mobile == ""
    assert not MobileChange.objects.filter(user=parent).exists()


def test_an_expired_code_does_not_work(parent_client, parent, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    _ask_mobile_code(parent_client, "07400123456", django_capture_on_commit_callbacks)
    code = _texted_code()
    MobileChange.objects.filter(user=parent).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    parent_client.post(reverse("accounts:mobile_confirm"), {"code": code})

    parent.refresh_from_db()
    assert parent.mobile == ""


@pytest.mark.parametrize(
    ("typed", "error"),
    [("01865 270000", "is a landline"), ("12345", "not a"), ("hello", "not a phone number")],
)
def test_a_number_that_cannot_get_texts_is_refused(parent_client, typed, error):
    response = parent_client.post(reverse("accounts:settings_mobile"), {"mobile": typed})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not sms.outbox


def test_the_example_the_page_gives_is_accepted_as_the_roster_accepts_it(
    parent_client, django_capture_on_commit_callbacks
):
    # Ofcom's drama range: the example on the page, and what the importer takes.
    assert "07700 900123" in parent_client.get(reverse("accounts:settings")).content.decode()

    _ask_mobile_code(parent_client, "07700 900123", django_capture_on_commit_callbacks)

    assert sms.outbox and sms.outbox[-1].to == "+447700900123"


def test_codes_are_not_sent_without_limit(parent_client, django_capture_on_commit_callbacks):
    for ending in range(3):
        _ask_mobile_code(parent_client, f"0740012345{ending}", django_capture_on_commit_callbacks)

    refused = _ask_mobile_code(parent_client, "07400123459", django_capture_on_commit_callbacks)

    assert refused.status_code == 429
    assert "Try again in 10 minutes" in refused.content.decode()
    assert len(sms.outbox) == 3


def test_a_mobile_can_be_removed(parent_client, parent):
    parent.mobile = "+447700900123"
    parent.save(update_fields=["mobile"])

    parent_client.post(reverse("accounts:settings_mobile_remove"))

    parent.refresh_from_db()
    assert (parent.mobile, parent.mobile_hash) == ("", "")


def test_sign_out_everywhere_else_ends_the_other_sessions_and_keeps_this_one(parent):
    here, phone, laptop = Client(), Client(), Client()
    for client in (here, phone, laptop):
        assert _log_in(client, parent.email).status_code == 302
    assert "on 2 other devices" in here.get(SETTINGS).content.decode()

    response = here.post(reverse("accounts:settings_sessions_end"), follow=True)

    assert "Signed out on 2 other devices" in response.content.decode()
    assert here.get(SETTINGS).status_code == 200
    for client in (phone, laptop):
        assert client.get(SETTINGS).status_code == 302
    assert AuditEntry.objects.get(action="user.sessions_end").changes == {"sessions": 2}
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_OUT, user=parent, details__other_sessions_ended=2
    ).exists()


def test_a_session_opened_by_accepting_an_invitation_can_be_ended_too(parent):
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    request.session = SessionStore()
    request.user = parent
    login(request, parent, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    here = Client()
    _log_in(here, parent.email)

    here.post(reverse("accounts:settings_sessions_end"))

    assert not SessionStore().exists(request.session.session_key)


def test_the_password_link_leads_to_a_portal_styled_change_page(parent_client):
    page = parent_client.get(SETTINGS).content.decode()
    assert reverse("account_change_password") in page

    change = parent_client.get(reverse("account_change_password")).content.decode()

    assert "<h1>Change your password</h1>" in change
    assert 'class="site-header"' in change


def test_notification_settings_say_how_to_add_a_mobile(parent_client):
    page = parent_client.get(reverse("notifications:notification_preferences")).content.decode()

    assert "add your mobile number in" in page
    assert 'href="/account/"' in page.split("<main")[1]


def test_the_settings_page_runs_the_same_queries_for_any_number_of_children(
    client, django_assert_num_queries
):
    counts = []
    for children in (1, 6):
        parent = UserFactory()
        for _ in range(children):
            GuardianshipFactory(parent=parent)
        client.force_login(parent)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(SETTINGS).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_user_email_and_allauth_agree_for_an_account_made_without_allauth(parent):
    from accounts.services import email_address_current

    address = email_address_current(user=parent)

    assert (address.email, address.primary, address.verified) == (parent.email, True, True)
    assert User.objects.get(email__iexact="ANN@example.org") == parent
