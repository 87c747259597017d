"""A forwarded link alone never links a child to another account.

An account whose email and mobile both differ from the invitation's adds the
children only with a one-time code sent to the invited contact; so does a new
parent joining through an invitation that holds no email (they choose the email
they sign in with). Codes are kept hashed, expire, and a link takes a limited
number of wrong ones.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.access import children_of
from accounts.models import User
from audit.models import AuditEntry
from consent.models import Purpose
from consent.wording import PURPOSE_STATEMENT
from invitations.models import ClaimCode, Invitation
from invitations.services import (
    ClaimCodeExpiredError,
    ClaimCodeLockedError,
    ContactProofRequiredError,
    WrongClaimCodeError,
    claim_code_send,
    invitation_accept,
    invitation_resend,
    invitations_create,
)
from invitations.tokens import claim_code_digest
from notifications.models import Message
from schools.models import Guardianship
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory
from tests.invitations.test_accept import (
    MOBILE,
    NEW_PASSWORD,
    ask_for_code,
    registration,
    sent_code,
    signed_in_user,
    url,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox

pytestmark = pytest.mark.django_db

PLATFORM = {Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM]}
INVITED_EMAIL = "dana@example.org"


@pytest.fixture
def invited(school, admin, django_capture_on_commit_callbacks):
    """Dana Ortiz's invitation for Amy, by email and SMS; returns (token, invitation)."""

    def make(*, email=INVITED_EMAIL, mobile=MOBILE, channels="both"):
        parent = imported_parent(first_name="Dana", last_name="Ortiz", email=email, mobile=mobile)
        link_unconfirmed(parent, PupilFactory(school=school, first_name="Amy"))
        with django_capture_on_commit_callbacks(execute=True):
            (invitation,) = invitations_create(
                school=school, pupils=school.pupils.all(), channels=channels, actor=admin
            )
        return token_from_outbox(), invitation

    return make


@pytest.fixture
def other_parent(client):
    """A parent of another family, signed in: their email and mobile are not Dana's."""
    parent = UserFactory(email="sam@example.org", mobile="+447700900999")
    GuardianshipFactory(parent=parent, pupil=PupilFactory(first_name="Cal"))
    client.force_login(parent)
    return parent


def _accepted(invitation) -> bool:
    return Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED


def _amy_linked_to(user) -> bool:
    return children_of(user).filter(first_name="Amy").exists()


# The hole: another family's link, ticked consent


def test_another_account_ticking_consent_does_not_get_the_child(client, invited, other_parent):
    token, invitation = invited()

    page = client.get(url(token), follow=True)
    response = client.post(url(token), {"platform": "on"})

    assert page.status_code == 200 and response.status_code == 200
    assert "Check this invitation is for you" in page.content.decode()
    assert 'name="platform"' not in page.content.decode()  # no form until a code is sent
    assert not _amy_linked_to(other_parent)
    assert not _accepted(invitation)
    assert not Guardianship.objects.filter(parent=other_parent, pupil__first_name="Amy").exists()


def test_the_service_refuses_another_account_without_a_code(invited, other_parent):
    _, invitation = invited()

    with pytest.raises(ContactProofRequiredError):
        invitation_accept(
            invitation=invitation, user=other_parent, consents=PLATFORM, actor=other_parent
        )

    assert not _amy_linked_to(other_parent) and not _accepted(invitation)


def test_the_page_hides_the_invited_contacts_details(client, invited, other_parent):
    token, _ = invited()

    html = client.get(url(token), follow=True).content.decode()

    assert INVITED_EMAIL not in html and MOBILE not in html and "Ortiz" not in html
    assert "the email address d•••@e•••.org" in html
    assert "the mobile number ending 123" in html


# The code


def test_the_code_goes_to_the_invited_email_and_mobile_and_is_kept_hashed(
    client, invited, other_parent
):
    token, invitation = invited()

    response = ask_for_code(client, token)

    assert response.status_code == 302 and response["Location"] == "/invitations/join/"
    sent = Message.objects.filter(template="invitation_code")
    assert {(m.channel, m.to_address, m.recipient_id) for m in sent} == {
        ("email", INVITED_EMAIL, invitation.parent_id),
        ("sms", MOBILE, invitation.parent_id),
    }
    assert all(m.kind == Message.Kind.SERVICE for m in sent)
    code = sent_code("sms")
    assert sent_code("email") == code
    claim = ClaimCode.objects.get()
    assert claim.user == other_parent
    assert claim.code_hash == claim_code_digest(code, link_hash=invitation.token_hash)
    row = ClaimCode.objects.filter(pk=claim.pk).values().get()
    assert code not in " ".join(str(value) for value in row.values())
    assert claim.expires_at - claim.created_at == timedelta(minutes=15)
    entry = AuditEntry.objects.get(action="invitation.claim_code_sent")
    assert entry.actor == other_parent
    assert entry.changes["account"] == other_parent.pk
    assert sorted(entry.changes["channels"]) == ["email", "sms"]


def test_code_messages_do_not_change_the_invitations_status(client, invited, other_parent):
    token, invitation = invited()
    before = Invitation.objects.get(pk=invitation.pk).status

    ask_for_code(client, token)

    assert all(
        not m.reference.startswith("invitation:")
        for m in Message.objects.filter(template="invitation_code")
    )
    assert Invitation.objects.get(pk=invitation.pk).status == before


def test_the_right_code_links_the_child_to_the_signed_in_account(client, invited, other_parent):
    token, invitation = invited()
    ask_for_code(client, token)
    page = client.get(url(token), follow=True).content.decode()

    response = client.post(url(token), {"code": sent_code(), "platform": "on"})

    assert 'name="code"' in page and 'name="platform"' in page
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:parent_home")
    assert _amy_linked_to(other_parent)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == other_parent
    assert ClaimCode.objects.get().used_at is not None
    entry = AuditEntry.objects.get(action="invitation.accept")
    assert entry.actor == other_parent
    assert entry.changes["accepted_by"] == other_parent.pk
    assert entry.changes["confirmed_by_code"] is True


def test_a_code_with_spaces_is_accepted(client, invited, other_parent):
    token, _ = invited()
    ask_for_code(client, token)
    code = sent_code()

    client.post(url(token), {"code": f" {code[:3]} {code[3:]} ", "platform": "on"})

    assert _amy_linked_to(other_parent)


def test_a_wrong_code_is_refused_counted_and_recorded(client, invited, other_parent):
    token, invitation = invited()
    ask_for_code(client, token)
    wrong = "000000" if sent_code() != "000000" else "111111"

    response = client.post(url(token), {"code": wrong, "platform": "on"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "That is not the code we sent" in html
    assert "4 more tries" in html
    assert not _amy_linked_to(other_parent) and not _accepted(invitation)
    assert ClaimCode.objects.get().attempts == 1
    entry = AuditEntry.objects.get(action="invitation.claim_code_refused")
    assert entry.actor == other_parent
    assert entry.changes["account"] == other_parent.pk
    assert entry.changes["tries_left"] == 4


def test_a_wrong_code_through_the_service_is_counted_although_it_raises(invited, other_parent):
    _, invitation = invited()
    claim_code_send(invitation=invitation, user=other_parent, actor=other_parent)
    wrong = "000000" if sent_code() != "000000" else "111111"

    with pytest.raises(WrongClaimCodeError) as refused:
        invitation_accept(
            invitation=invitation,
            user=other_parent,
            consents=PLATFORM,
            actor=other_parent,
            code=wrong,
        )

    assert refused.value.tries_left == ClaimCode.MAX_TRIES - 1
    assert ClaimCode.objects.get().attempts == 1
    assert not _amy_linked_to(other_parent)


def test_a_code_that_is_not_six_digits_is_a_form_error_and_not_counted(
    client, invited, other_parent
):
    token, _ = invited()
    ask_for_code(client, token)

    response = client.post(url(token), {"code": "12ab", "platform": "on"})

    assert "Enter the 6 digits of the code we sent" in response.content.decode()
    assert ClaimCode.objects.get().attempts == 0


def test_an_expired_code_is_refused(client, invited, other_parent):
    token, invitation = invited()
    ask_for_code(client, token)
    ClaimCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(url(token), {"code": sent_code(), "platform": "on"})

    assert response.status_code == 200
    assert "This code has expired or was replaced" in response.content.decode()
    assert not _amy_linked_to(other_parent) and not _accepted(invitation)


def test_a_new_code_replaces_the_one_before(client, invited, other_parent):
    token, _ = invited()
    ask_for_code(client, token)
    first = sent_code()
    ask_for_code(client, token)
    second = sent_code()

    if first != second:
        client.post(url(token), {"code": first, "platform": "on"})
        assert not _amy_linked_to(other_parent)
    client.post(url(token), {"code": second, "platform": "on"})

    assert _amy_linked_to(other_parent)


def test_a_code_sent_for_one_account_does_not_work_for_another(invited, other_parent):
    _, invitation = invited()
    claim_code_send(invitation=invitation, user=other_parent, actor=other_parent)
    third = UserFactory(email="third@example.org")

    with pytest.raises(ClaimCodeExpiredError):
        invitation_accept(
            invitation=invitation, user=third, consents=PLATFORM, actor=third, code=sent_code()
        )

    assert not _amy_linked_to(third)


def test_after_five_wrong_codes_the_link_takes_no_more_until_the_school_resends(
    client, invited, other_parent, admin, django_capture_on_commit_callbacks
):
    token, invitation = invited()
    ask_for_code(client, token)
    right = sent_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(ClaimCode.MAX_TRIES):
        client.post(url(token), {"code": wrong, "platform": "on"})

    locked_page = client.get(url(token), follow=True).content.decode()
    with_the_right_code = client.post(url(token), {"code": right, "platform": "on"})
    ask_for_code(client, token)

    assert "This invitation link takes no more codes" in locked_page
    assert 'name="step"' not in locked_page  # no more codes offered
    assert "This invitation link takes no more codes" in with_the_right_code.content.decode()
    assert not _amy_linked_to(other_parent)
    assert ClaimCode.objects.count() == 1  # asking again sent nothing
    with pytest.raises(ClaimCodeLockedError):
        claim_code_send(invitation=invitation, user=other_parent, actor=other_parent)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=admin)
    new_token = Message.objects.filter(template="invitation").latest("pk").body_text
    new_link = next(word for word in new_token.split() if "/invitations/" in word)
    new_path = new_link[new_link.index("/invitations/") :]
    ask_for_code(client, new_path.strip("/").split("/")[-1])
    client.post(new_path, {"code": sent_code(), "platform": "on"})

    assert _amy_linked_to(other_parent)


def test_codes_sent_for_one_link_are_limited(invited, other_parent):
    _, invitation = invited()
    for _ in range(ClaimCode.MAX_SENDS):
        claim_code_send(invitation=invitation, user=other_parent, actor=other_parent)

    with pytest.raises(ClaimCodeLockedError):
        claim_code_send(invitation=invitation, user=other_parent, actor=other_parent)


# The invited contact links at once, as before


def test_an_account_with_the_invited_email_in_another_case_links_without_a_code(client, invited):
    token, invitation = invited(email="Dana.Ortiz@Example.org", mobile="")
    invitation.parent.delete()  # one account per email: the imported one has gone
    own = UserFactory(email="dana.ortiz@example.org")
    client.force_login(own)

    page = client.get(url(token), follow=True).content.decode()
    response = client.post(url(token), {"platform": "on"})

    assert "Check this invitation is for you" not in page
    assert response.status_code == 302
    assert _amy_linked_to(own)
    assert not ClaimCode.objects.exists()


def test_an_account_with_the_invited_mobile_links_without_a_code(client, invited):
    token, _ = invited(email="school.has.this@example.org", mobile="07700 900123")
    own = UserFactory(email="dana.own@example.org", mobile=MOBILE)
    client.force_login(own)

    response = client.post(url(token), {"platform": "on"})

    assert response.status_code == 302
    assert _amy_linked_to(own)
    entry = AuditEntry.objects.get(action="invitation.accept")
    assert entry.changes["confirmed_by_code"] is False


# A new parent through an invitation without an email


def test_sms_only_registration_without_the_code_creates_no_account(client, invited):
    token, invitation = invited(email=None, channels="sms")

    response = client.post(url(token), registration(email="someone@example.org"))

    assert response.status_code == 200
    assert not User.objects.filter(email="someone@example.org").exists()
    assert not _accepted(invitation)
    assert signed_in_user(client) is None


def test_sms_only_registration_with_a_wrong_code_creates_no_account(client, invited):
    token, invitation = invited(email=None, channels="sms")
    ask_for_code(client, token)
    wrong = "000000" if sent_code() != "000000" else "111111"

    response = client.post(url(token), registration(email="someone@example.org", code=wrong))

    assert "That is not the code we sent" in response.content.decode()
    assert not User.objects.filter(email="someone@example.org").exists()
    assert not _accepted(invitation)
    assert ClaimCode.objects.get().attempts == 1
    assert AuditEntry.objects.get(action="invitation.claim_code_refused").actor is None


def test_sms_only_registration_with_the_code_joins(client, invited):
    token, _ = invited(email=None, channels="sms")
    ask_for_code(client, token)
    message = Message.objects.get(template="invitation_code")

    response = client.post(url(token), registration(email="dana@example.org", code=sent_code()))

    assert (message.channel, message.to_address) == ("sms", MOBILE)
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.email == "dana@example.org" and user.check_password(NEW_PASSWORD)
    assert _amy_linked_to(user)
    assert AuditEntry.objects.get(action="invitation.accept").changes["confirmed_by_code"]


def test_registration_with_the_schools_email_needs_no_code_and_keeps_that_email(client, invited):
    token, _ = invited()

    page = client.get(url(token), follow=True).content.decode()
    response = client.post(url(token), registration(email="someone.else@example.org"))

    assert 'name="code"' not in page and 'name="email"' not in page
    assert response.status_code == 302
    assert signed_in_user(client).email == INVITED_EMAIL
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_no_code_is_sent_when_the_invited_parent_may_receive_nothing(client, invited, other_parent):
    token, invitation = invited()
    User.objects.filter(pk=invitation.parent_id).update(processing_restricted=True)

    response = client.post(url(token), {"step": "send_code"}, follow=True)

    assert "We cannot send a code for this invitation" in response.content.decode()
    assert not ClaimCode.objects.exists()
    assert not Message.objects.filter(template="invitation_code").exists()
