"""A family closes their own account from account settings: the page says what
happens, the password confirms it, every session ends at once, and signing in
afterwards says the account is closed and until when it can be restored."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import Membership
from accounts.services import account_close, processing_restriction_set
from audit.models import AuditEntry
from consent.models import Method, Purpose
from consent.services import consent_grant, consent_withdraw
from invitations.errors import InvitationNotUsableError
from invitations.services import invitation_accept, invitations_create
from notifications.models import Message
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-parent-password-7"
URL = reverse("accounts:close")


@pytest.fixture
def parent():
    link = GuardianshipFactory(pupil__school__contact_email="office@oakfield.example")
    link.parent.set_password(PASSWORD)
    link.parent.save()
    return link.parent


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def signed_in(client) -> bool:
    return client.session.get(SESSION_KEY) is not None


def pending_message(user, key="pending"):
    return Message.objects.create(
        recipient=user,
        channel=Message.Channel.EMAIL,
        template="t",
        subject="s",
        body_text="b",
        to_address=user.email,
        idempotency_key=key,
        status=Message.Status.PENDING,
    )


def test_account_settings_offer_closing_to_a_family(client, parent):
    client.force_login(parent)

    page = client.get(reverse("accounts:settings")).content.decode()

    assert "Close your account" in page
    assert f'href="{URL}"' in page


def test_opening_the_page_says_what_happens_and_changes_nothing(client, parent):
    client.force_login(parent)

    page = client.get(URL).content.decode()

    assert "signed out at once on this and every other device" in page
    assert "no more emails or text messages" in page
    assert "90 days" in page
    delete_on = timezone.localtime() + timedelta(days=90)
    assert date_format(delete_on, "j F Y") in page
    assert "your children's records stay with their school" in page.lower()
    assert 'type="password"' in page
    assert "button-danger" in page
    parent.refresh_from_db()
    assert parent.closed_at is None
    assert not AuditEntry.objects.filter(action="user.close").exists()


def test_a_wrong_password_is_reported_and_nothing_changes(client, parent):
    client.force_login(parent)
    pending_message(parent)

    response = client.post(URL, {"password": "not-my-password"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "That is not your password. Your account is still open." in page
    parent.refresh_from_db()
    assert parent.is_active and parent.closed_at is None
    assert Message.objects.filter(recipient=parent, status=Message.Status.PENDING).count() == 1
    assert not AuditEntry.objects.filter(action="user.close").exists()
    assert signed_in(client)


def test_closing_signs_out_every_session_and_shows_the_deletion_date(client, parent):
    other_device = client.__class__()
    for each in (client, other_device):
        sign_in(each, parent)
        assert each.get(reverse("accounts:settings")).status_code == 200
    pending_message(parent)

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:closed")
    parent.refresh_from_db()
    assert not parent.is_active
    assert parent.delete_after - parent.closed_at == timedelta(days=90)
    entry = AuditEntry.objects.get(action="user.close")
    assert entry.actor == parent and entry.changes["reason"] == "own_request"
    assert not Message.objects.filter(recipient=parent, status=Message.Status.PENDING).exists()
    # This browser and the other device are both signed out.
    assert not signed_in(client)
    for each in (client, other_device):
        assert each.get(reverse("accounts:settings")).status_code == 302
    # The public page confirms it, with the date the data goes.
    page = client.get(reverse("accounts:closed")).content.decode()
    assert "Your account is closed" in page
    assert date_format(timezone.localtime(parent.delete_after), "j F Y") in page
    assert "office@oakfield.example" in page


def test_signing_in_after_closing_says_the_account_is_closed_and_how_to_restore_it(client, parent):
    account_close(user=parent, actor=parent, reason="own_request")
    parent.refresh_from_db()

    response = sign_in(client, parent)

    assert response.status_code == 403
    page = response.content.decode()
    assert "This account is closed" in page
    assert date_format(timezone.localtime(parent.delete_after), "j F Y") in page
    assert "ask them to have your account restored" in page
    assert "office@oakfield.example" in page
    assert not signed_in(client)


def test_a_wrong_password_for_a_closed_account_reveals_nothing(client, parent):
    account_close(user=parent, actor=parent, reason="own_request")

    page = sign_in(client, parent, password="a-guess-at-it-1").content.decode()

    assert "This account is closed" not in page
    assert not signed_in(client)


def test_after_the_hold_sign_in_says_it_can_no_longer_be_restored(client, parent):
    account_close(
        user=parent, actor=parent, reason="own_request", now=timezone.now() - timedelta(days=91)
    )

    page = sign_in(client, parent).content.decode()

    assert "This account is closed" in page
    assert "it can no longer be restored" in page
    assert "ask them to have your account restored" not in page


def test_a_restricted_parent_can_still_close_their_account(client, parent):
    processing_restriction_set(user=parent, restricted=True, actor=parent)
    client.force_login(parent)

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.closed_at is not None


@pytest.mark.parametrize(
    "make_staff",
    [lambda: admin_of(PupilFactory().school), lambda: UserFactory(is_staff=True)],
    ids=["school_staff", "platform_staff"],
)
def test_staff_cannot_close_their_own_account_here(staff_client, make_staff):
    user = make_staff()
    user.set_password(PASSWORD)
    user.save()
    client = staff_client(user)

    settings_page = client.get(reverse("accounts:settings")).content.decode()
    page = client.get(URL).content.decode()
    response = client.post(URL, {"password": PASSWORD})

    assert f'href="{URL}"' not in settings_page
    assert "removes you from the school's staff" in settings_page
    assert "ask your school's admin to remove you" in page
    assert 'type="password"' not in page
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.closed_at is None and user.is_active


def test_many_wrong_passwords_are_slowed_down(client, parent):
    client.force_login(parent)
    for _ in range(10):
        assert client.post(URL, {"password": "wrong-guess"}).status_code == 400

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()
    parent.refresh_from_db()
    assert parent.closed_at is None


def test_the_closed_page_opened_directly_says_what_closing_means(client):
    page = client.get(reverse("accounts:closed")).content.decode()

    assert "90 days" in page


def test_a_closed_parent_following_an_old_invitation_is_not_reopened(
    client, parent, django_capture_on_commit_callbacks
):
    # The parent has joined; the school then invites them for a second child.
    school = parent.guardianships.get().pupil.school
    second = PupilFactory(school=school)
    GuardianshipFactory(parent=parent, pupil=second, confirmed_at=None)
    admin = admin_of(school)
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitations_create(
            school=school, pupils=[second], channels="email", actor=admin
        )
    link = Message.objects.get(template="invitation").body_text
    path = link[link.index("/invitations/") :].split()[0]
    account_close(user=parent, actor=parent, reason="own_request")

    response = client.post(path, {"platform": "on"})
    with pytest.raises(InvitationNotUsableError):
        invitation_accept(
            invitation=invitation, user=parent, consents={"platform": "I agree"}, actor=parent
        )

    assert response.status_code == 410
    parent.refresh_from_db()
    assert not parent.is_active and parent.closed_at is not None
    assert not parent.guardianships.filter(pupil=second, confirmed_at__isnull=False).exists()
    assert not Membership.objects.filter(user=parent).exists()


def test_a_closed_account_is_sent_nothing_even_when_a_reset_is_asked_for(
    client, parent, django_capture_on_commit_callbacks
):
    account_close(user=parent, actor=parent, reason="own_request")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": parent.email})

    assert response.status_code == 302
    assert not Message.objects.filter(to_address=parent.email).exists()


def test_a_parent_who_withdrew_consent_can_still_close_their_account(client, parent, notice):
    consent_grant(
        user=parent, purpose=Purpose.PLATFORM, wording="I agree", method=Method.REGISTRATION
    )
    consent_withdraw(user=parent, purpose=Purpose.PLATFORM, wording="I agree", method="settings")
    client.force_login(parent)
    gate = client.get(reverse("accounts:settings"), follow=True)
    page = client.get(URL)

    response = client.post(URL, {"password": PASSWORD})

    assert page.status_code == 200
    assert URL in gate.content.decode()  # the page asking them to agree offers closing
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.closed_at is not None
