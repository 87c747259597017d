"""Accepting an invitation: the page a link opens, for a new parent and for a
parent who already has an account, with consent given on the same page."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.access import children_of
from accounts.models import User
from consent.models import ConsentRecord, Purpose
from consent.services import consent_grant
from consent.wording import PURPOSE_STATEMENT
from invitations.models import Invitation
from invitations.selectors import invitation_for_token
from invitations.services import (
    CLAIM_CODE_TEMPLATE,
    AccountInUseError,
    AnotherAccountError,
    EmailTakenError,
    StaffAccountError,
    claim_code_send,
    invitation_accept,
    invitation_register,
    invitation_revoke,
    invitations_create,
)
from invitations.views import accept as accept_views
from notifications.models import Message
from schools.models import Guardianship
from tests.concurrency import at_once, needs_postgresql
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox
from tests.schools.test_pages import unlabelled_controls

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what UserFactory sets
PLATFORM_WORDING = PURPOSE_STATEMENT[Purpose.PLATFORM]
MEDIA_PROMOTION_WORDING = PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION]
MARKETING_EMAIL_WORDING = PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL]
NEW_PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def invite(school, admin, django_capture_on_commit_callbacks):
    """Invite one imported parent of the given children; returns (token, invitation, parent)."""

    def make(*, children=None, channels="email", **parent_fields):
        parent_fields.setdefault("first_name", "Dana")
        parent_fields.setdefault("last_name", "Ortiz")
        parent = imported_parent(**parent_fields)
        children = children or [PupilFactory(school=school, first_name="Amy", last_name="Quennell")]
        for child in children:
            link_unconfirmed(parent, child)
        with django_capture_on_commit_callbacks(execute=True):
            (invitation,) = invitations_create(
                school=school, pupils=children, channels=channels, actor=admin
            )
        return token_from_outbox(), invitation, parent

    return make


def url(token: str) -> str:
    return f"/invitations/{token}/"


def registration(**fields) -> dict:
    data = {
        "first_name": "Dana",
        "last_name": "Ortiz",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "platform": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


MOBILE = "+447700900123"
CODE_IN_MESSAGE = re.compile(r"\b([0-9]{6})\b")


def sent_code(channel: str = "sms") -> str:
    """The code in the newest claim-code message on ``channel``."""
    message = Message.objects.filter(template=CLAIM_CODE_TEMPLATE, channel=channel).latest("pk")
    return CODE_IN_MESSAGE.search(message.body_text).group(1)


def ask_for_code(client, token: str):
    return client.post(url(token), {"step": "send_code"})


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


# The page


def test_page_names_the_school_and_only_the_childrens_first_names(client, school, invite):
    amy = PupilFactory(school=school, first_name="Amy", last_name="Quennell")
    ben = PupilFactory(school=school, first_name="Ben", last_name="Quennell")
    token, _, _ = invite(children=[amy, ben])

    response = client.get(url(token), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Oakfield Primary" in html
    assert "Amy and Ben" in html
    for detail in ["Quennell", amy.upn, ben.upn, amy.school_class.name, "Year 3"]:
        assert detail not in html


def test_page_labels_every_input_and_has_no_inline_script_or_style(client, invite, notice):
    token, _, _ = invite(email=None, mobile="+447700900123", channels="sms")

    html = client.get(url(token), follow=True).content.decode()

    assert unlabelled_controls(html) == []
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert "style=" not in html and "<style" not in html
    main = html[html.index("<main") :]
    assert main.index("<h1") < main.index("<h2")


def test_page_is_never_cached(client, invite):
    token, _, _ = invite()

    response = client.get(url(token), follow=True)

    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_new_parent_form_shows_the_school_email_and_does_not_ask_for_one(client, invite):
    token, _, _ = invite(email="dana@example.org")

    html = client.get(url(token), follow=True).content.decode()

    assert "dana@example.org" in html
    assert 'name="email"' not in html
    assert 'name="password1"' in html and 'name="password2"' in html


def test_sms_only_invitation_asks_for_an_email_after_a_code_sent_to_the_mobile(client, invite):
    token, _, _ = invite(email=None, mobile=MOBILE, channels="sms")

    first = client.get(url(token), follow=True).content.decode()
    ask_for_code(client, token)
    then = client.get(url(token), follow=True).content.decode()

    assert 'name="email"' not in first and 'name="password1"' not in first
    assert "the mobile number ending 123" in first and MOBILE not in first
    assert 'name="code"' in then and 'name="email"' in then
    assert 'type="email"' in then
    assert unlabelled_controls(then) == []


def test_consent_boxes_are_unticked_and_show_the_exact_wording(client, invite):
    token, _, _ = invite()

    html = client.get(url(token), follow=True).content.decode()

    for name in ["platform", "media_promotion", "marketing_email"]:
        assert f'name="{name}"' in html
    assert "checked" not in html
    for wording in [PLATFORM_WORDING, MEDIA_PROMOTION_WORDING, MARKETING_EMAIL_WORDING]:
        assert escape(wording) in html


def test_platform_consent_links_to_the_current_privacy_notice(client, invite, notice):
    token, _, _ = invite()

    html = client.get(url(token), follow=True).content.decode()

    assert f'href="{reverse("consent:privacy_notice")}"' in html
    assert "version 1.0" in html


# A new parent registers


def test_new_parent_registers_is_signed_in_and_sees_the_child(client, invite, notice):
    token, invitation, parent = invite(email="dana@example.org")

    response = client.post(url(token), registration(first_name="Dana ", last_name="Ortiz-Lee"))

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:parent_home")
    parent.refresh_from_db()
    assert parent.is_active
    assert (parent.first_name, parent.last_name) == ("Dana", "Ortiz-Lee")
    assert parent.check_password(NEW_PASSWORD)
    assert signed_in_user(client) == parent
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == parent
    children_page = client.get(response["Location"]).content.decode()
    assert "Amy Quennell" in children_page


def test_registered_parent_can_sign_in_later_with_email_and_password(client, invite, notice):
    token, _, _ = invite(email="dana@example.org")
    client.post(url(token), registration())
    client.logout()

    response = client.post(
        "/accounts/login/", {"login": "Dana@Example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert signed_in_user(client).email == "dana@example.org"


def test_sms_parent_registers_with_the_email_they_type(client, invite, notice):
    token, _, parent = invite(email=None, mobile=MOBILE, channels="sms")
    ask_for_code(client, token)

    response = client.post(
        url(token), registration(email="  Dana.Ortiz@Example.ORG ", code=sent_code())
    )

    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.email == "dana.ortiz@example.org"
    assert parent.is_active
    assert signed_in_user(client) == parent


def test_sms_parent_without_an_email_gets_an_error_and_nothing_is_written(client, invite):
    token, invitation, parent = invite(email=None, mobile="+447700900123", channels="sms")

    response = client.post(url(token), registration())

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    parent.refresh_from_db()
    assert not parent.is_active and parent.email is None
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_email_used_by_another_account_is_refused_with_a_sign_in_link(client, invite):
    UserFactory(email="dana@example.org")
    token, invitation, parent = invite(email=None, mobile="+447700900123", channels="sms")

    response = client.post(url(token), registration(email="DANA@example.org"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "An account already uses this email address." in html
    assert 'href="/accounts/login/?next=%2Finvitations%2Fjoin%2F"' in html
    parent.refresh_from_db()
    assert not parent.is_active and not parent.has_usable_password()
    assert parent.first_name == "Dana" and parent.email is None
    assert not Guardianship.objects.filter(confirmed_at__isnull=False).exists()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED
    assert signed_in_user(client) is None


def test_email_taken_at_the_last_moment_is_a_form_error_not_a_500(
    client, invite, notice, monkeypatch
):
    """Two registrations with one email at once: the database constraint decides."""
    UserFactory(email="dana@example.org")
    token, invitation, parent = invite(email=None, mobile=MOBILE, channels="sms")
    monkeypatch.setattr("invitations.forms.accept.email_in_use", lambda *a, **k: False)
    ask_for_code(client, token)

    response = client.post(url(token), registration(email="dana@example.org", code=sent_code()))

    assert response.status_code == 200
    assert "An account already uses this email address." in response.content.decode()
    parent.refresh_from_db()
    assert not parent.is_active and parent.email is None
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_form_cannot_change_the_email_the_school_has(client, invite, notice):
    token, _, parent = invite(email="dana@example.org")

    client.post(url(token), registration(email="someone.else@example.org"))

    parent.refresh_from_db()
    assert parent.email == "dana@example.org"
    assert not User.objects.filter(email="someone.else@example.org").exists()


@pytest.mark.parametrize(
    ("password1", "password2", "error"),
    [
        (NEW_PASSWORD, "plum-orchard-lantern-43", "The two passwords do not match."),
        ("short", "short", "This password is too short."),
        ("1234567890123", "1234567890123", "This password is entirely numeric."),
        ("password123", "password123", "This password is too common."),
        ("dana.ortiz.x", "dana.ortiz.x", "too similar"),
    ],
)
def test_password_must_match_and_pass_the_validators(client, invite, password1, password2, error):
    token, invitation, parent = invite(email="dana.ortiz@example.org")

    response = client.post(url(token), registration(password1=password1, password2=password2))

    assert response.status_code == 200
    assert error in response.content.decode()
    parent.refresh_from_db()
    assert not parent.is_active and not parent.has_usable_password()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_platform_consent_is_required_to_join(client, invite, notice):
    token, invitation, parent = invite()

    response = client.post(url(token), registration(platform=None, marketing_email="on"))

    assert response.status_code == 200
    assert "you cannot join without it" in response.content.decode()
    parent.refresh_from_db()
    assert not parent.is_active and not parent.has_usable_password()
    assert not ConsentRecord.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_ledger_records_the_ticked_choices_with_the_wording_shown(client, invite, notice):
    token, _, parent = invite()

    client.post(url(token), registration(media_promotion="on"))

    records = ConsentRecord.objects.filter(user=parent)
    assert {(r.purpose, r.wording, r.notice_id, r.method) for r in records} == {
        (Purpose.PLATFORM, PLATFORM_WORDING, notice.pk, "registration"),
        (Purpose.MEDIA_PROMOTION, MEDIA_PROMOTION_WORDING, notice.pk, "registration"),
    }


def test_the_privacy_page_shows_the_words_the_invitation_page_recorded(client, invite, notice):
    token, _, parent = invite()
    client.post(url(token), registration(media_promotion="on", marketing_email="on"))

    page = client.get(reverse("consent:privacy_consents")).content.decode()

    records = ConsentRecord.objects.filter(user=parent)
    assert records.count() == 3
    for record in records:
        assert escape(record.wording) in page


def test_optional_choices_are_marked_beside_the_words_recorded(client, invite):
    token, _, _ = invite()

    html = client.get(url(token), follow=True).content.decode()

    assert html.count("(optional)") == 2
    for wording in [MEDIA_PROMOTION_WORDING, MARKETING_EMAIL_WORDING]:
        assert "(optional)" not in wording.lower()
        assert re.search(re.escape(escape(wording)) + r"\s*<span class=\"hint\">\(optional\)", html)


def test_a_failure_part_way_leaves_nothing_written(client, invite, notice, monkeypatch):
    token, invitation, parent = invite()
    calls = []

    def failing_grant(**kwargs):
        calls.append(kwargs["purpose"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return consent_grant(**kwargs)

    monkeypatch.setattr("invitations.services.accepting.consent_grant", failing_grant)
    client.raise_request_exception = False

    response = client.post(url(token), registration(marketing_email="on"))

    assert response.status_code == 500
    parent.refresh_from_db()
    assert not parent.is_active and not parent.has_usable_password()
    assert not ConsentRecord.objects.exists()
    assert not Guardianship.objects.filter(confirmed_at__isnull=False).exists()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_invited_account_already_in_use_cannot_get_a_new_password_through_the_link(
    client, invite, notice
):
    token, invitation, parent = invite(email="dana@example.org")
    parent.is_active = True
    parent.set_password(PASSWORD)
    parent.save()

    page = client.get(url(token), follow=True).content.decode()
    response = client.post(url(token), registration())

    assert 'name="password1"' not in page
    assert 'href="/accounts/login/?next=%2Finvitations%2Fjoin%2F"' in page
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.check_password(PASSWORD)
    assert signed_in_user(client) is None
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_invitation_to_a_closed_account_does_not_work(client, invite):
    token, _, parent = invite()
    User.objects.filter(pk=parent.pk).update(closed_at=timezone.now())

    response = client.post(url(token), registration())

    assert response.status_code == 410
    parent.refresh_from_db()
    assert not parent.is_active


def test_taken_email_and_a_bad_password_are_reported_together(client, invite):
    UserFactory(email="dana@example.org")
    token, _, _ = invite(email=None, mobile="+447700900123", channels="sms")

    response = client.post(
        url(token), registration(email="dana@example.org", password2="something-else-9")
    )

    html = response.content.decode()
    assert "An account already uses this email address." in html
    assert "The two passwords do not match." in html


def _register(invitation, **fields):
    if "code" not in fields and not invitation.email:
        claim_code_send(invitation=invitation, user=None, actor=None)
        fields["code"] = sent_code()
    return invitation_register(
        code=fields.pop("code", None),
        invitation=invitation,
        first_name=fields.pop("first_name", "Dana"),
        last_name=fields.pop("last_name", "Ortiz"),
        password=fields.pop("password", NEW_PASSWORD),
        email=fields.pop("email", None),
        consents=fields.pop("consents", {Purpose.PLATFORM: PLATFORM_WORDING}),
    )


def test_register_keeps_the_email_the_school_has(invite, notice):
    _, invitation, parent = invite(email="dana@example.org")

    user = _register(invitation, email="other@example.org")

    assert user == parent
    parent.refresh_from_db()
    assert parent.email == "dana@example.org" and parent.is_active


def test_register_refuses_an_email_another_account_has_and_writes_nothing(invite, notice):
    UserFactory(email="dana@example.org")
    _, invitation, parent = invite(email=None, mobile="+447700900123", channels="sms")

    with pytest.raises(EmailTakenError):
        _register(invitation, email="Dana@Example.org")

    parent.refresh_from_db()
    assert parent.email is None and not parent.is_active
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_register_refuses_an_invited_account_already_in_use(invite, notice):
    _, invitation, parent = invite(email="dana@example.org")
    parent.set_password(PASSWORD)
    parent.save()

    with pytest.raises(AccountInUseError):
        _register(invitation)

    parent.refresh_from_db()
    assert parent.check_password(PASSWORD) and not parent.is_active


def test_register_creates_an_account_when_the_invited_one_was_deleted(invite, notice):
    _, invitation, parent = invite(email="dana@example.org")
    parent.delete()
    invitation.refresh_from_db()

    user = _register(invitation, email="dana@example.org")

    assert user.is_active and user.email == "dana@example.org"
    assert list(children_of(user)) == list(invitation.pupils.all())


# A parent who already has an account


def test_sign_in_link_returns_to_the_invitation(client, invite):
    existing = UserFactory(email="dana@example.org")
    token, _, _ = invite(email=None, mobile="+447700900123", channels="sms")

    html = client.get(url(token), follow=True).content.decode()
    response = client.post(
        "/accounts/login/",
        {"login": existing.email, "password": PASSWORD, "next": "/invitations/join/"},
    )
    after = client.get(response["Location"])

    assert "I already have an account — sign in" in html
    assert 'href="/accounts/login/?next=%2Finvitations%2Fjoin%2F"' in html
    assert token not in html
    assert response.status_code == 302
    assert response["Location"] == "/invitations/join/"
    # Signing in keeps the session, and the link in it.
    assert after.status_code == 200 and 'value="send_code"' in after.content.decode()


def test_signed_in_parent_sees_the_consent_choices_not_the_registration_form(client, invite):
    existing = UserFactory(email="dana@example.org", mobile=MOBILE)
    token, _, _ = invite(email=None, mobile=MOBILE, channels="sms")
    client.force_login(existing)

    html = client.get(url(token), follow=True).content.decode()

    assert "dana@example.org" in html
    assert 'name="platform"' in html and 'name="marketing_email"' in html
    assert 'name="password1"' not in html and 'name="first_name"' not in html
    assert unlabelled_controls(html) == []


def test_existing_parent_accepts_a_second_school_and_has_one_account_with_both_children(
    client, invite, notice
):
    # The second school has the parent's mobile, not the email of their account.
    existing = UserFactory(email="dana@example.org", mobile=MOBILE)
    first = GuardianshipFactory(
        parent=existing, pupil=PupilFactory(first_name="Cal", last_name="Ortiz")
    ).pupil
    token, invitation, placeholder = invite(mobile="07700 900123")
    client.force_login(existing)

    response = client.post(url(token), {"platform": "on", "marketing_email": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:parent_home")
    amy = invitation.pupils.get()
    assert set(children_of(existing)) == {first, amy}
    assert {(r.purpose, r.wording) for r in ConsentRecord.objects.filter(user=existing)} == {
        (Purpose.PLATFORM, PLATFORM_WORDING),
        (Purpose.MARKETING_EMAIL, MARKETING_EMAIL_WORDING),
    }
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == existing
    children_page = client.get(reverse("schools:parent_home")).content.decode()
    assert "Cal Ortiz" in children_page and "Amy Quennell" in children_page
    assert not User.objects.filter(pk=placeholder.pk).exists()


def test_signed_in_parent_must_tick_the_platform_box(client, invite, notice):
    existing = UserFactory(mobile=MOBILE)
    token, invitation, placeholder = invite(mobile=MOBILE)
    client.force_login(existing)

    response = client.post(url(token), {"media_promotion": "on"})

    assert response.status_code == 200
    assert "you cannot join without it" in response.content.decode()
    assert not children_of(existing).exists()
    assert User.objects.filter(pk=placeholder.pk).exists()
    assert not ConsentRecord.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_owner_of_an_invited_account_in_use_signs_in_and_accepts(client, invite, notice):
    token, invitation, parent = invite(email="dana@example.org")
    parent.is_active = True
    parent.set_password(PASSWORD)
    parent.save()
    client.force_login(parent)

    response = client.post(url(token), {"platform": "on"})

    assert response.status_code == 302
    assert list(children_of(parent)) == list(invitation.pupils.all())
    assert User.objects.filter(pk=parent.pk).exists()


def test_someone_else_signed_in_cannot_take_an_invitation_to_an_account_in_use(
    client, invite, notice
):
    token, invitation, parent = invite(email="dana@example.org")
    parent.is_active = True
    parent.set_password(PASSWORD)
    parent.save()
    other = UserFactory(email="someone.else@example.org")
    client.force_login(other)

    page = client.get(url(token), follow=True)
    response = client.post(url(token), {"platform": "on"})

    assert page.status_code == 403
    assert "This invitation is for another account" in page.content.decode()
    assert "dana@example.org" not in page.content.decode()
    assert response.status_code == 403
    assert not children_of(other).exists()
    assert Guardianship.objects.filter(parent=parent).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_invitation_accept_refuses_anyone_but_the_owner_of_an_account_in_use(invite, notice):
    _, invitation, parent = invite()
    parent.set_password(PASSWORD)
    parent.save()
    other = UserFactory()

    with pytest.raises(AnotherAccountError):
        _accept_as(other, invitation)

    assert Guardianship.objects.filter(parent=parent).count() == 1


def test_staff_user_is_refused_and_nothing_is_merged(staff_client, school, invite, notice):
    teacher = teacher_of(PupilFactory(school=school).school_class)
    token, invitation, placeholder = invite()
    client = staff_client(teacher)

    page = client.get(url(token), follow=True)
    response = client.post(url(token), {"platform": "on"})

    assert page.status_code == 403
    assert "Staff accounts cannot accept invitations" in page.content.decode()
    assert response.status_code == 403
    assert not Guardianship.objects.filter(parent=teacher).exists()
    assert User.objects.filter(pk=placeholder.pk).exists()
    assert Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.ACCEPTED


def test_invitation_accept_refuses_a_staff_account(school, invite, notice):
    _, invitation, _ = invite()
    staff = admin_of(SchoolFactory())

    with pytest.raises(StaffAccountError):
        invitation_accept(
            invitation=invitation,
            user=staff,
            consents={Purpose.PLATFORM: PLATFORM_WORDING},
            actor=staff,
        )
    assert not Guardianship.objects.filter(parent=staff).exists()


# The imported account left over after a merge


def _accept_as(user, invitation):
    return invitation_accept(
        invitation=invitation, user=user, consents={Purpose.PLATFORM: PLATFORM_WORDING}, actor=user
    )


def test_empty_imported_account_is_deleted_after_a_merge(invite, notice):
    existing = UserFactory(mobile=MOBILE)
    _, invitation, placeholder = invite(mobile=MOBILE)

    accepted = _accept_as(existing, invitation)

    assert not User.objects.filter(pk=placeholder.pk).exists()
    assert accepted.parent is None
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == existing


def test_imported_account_with_another_child_is_kept(school, invite, notice):
    existing = UserFactory(mobile=MOBILE)
    _, invitation, placeholder = invite(mobile=MOBILE)
    GuardianshipFactory(parent=placeholder, pupil=PupilFactory(), confirmed_at=None)

    _accept_as(existing, invitation)

    assert User.objects.filter(pk=placeholder.pk).exists()


def test_imported_account_with_another_live_invitation_is_kept(
    admin, invite, notice, django_capture_on_commit_callbacks
):
    existing = UserFactory(mobile=MOBILE)
    _, invitation, placeholder = invite(mobile=MOBILE)
    other_school = SchoolFactory()
    other_child = PupilFactory(school=other_school)
    link_unconfirmed(placeholder, other_child)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(school=other_school, pupils=[other_child], channels="email", actor=admin)
    # The other school's child is moved away, but its live invitation remains.
    Guardianship.objects.filter(parent=placeholder, pupil=other_child).delete()

    _accept_as(existing, invitation)

    assert User.objects.filter(pk=placeholder.pk).exists()


def test_imported_account_that_was_ever_activated_is_kept(invite, notice):
    existing = UserFactory(mobile=MOBILE)
    _, invitation, placeholder = invite(mobile=MOBILE)
    User.objects.filter(pk=placeholder.pk).update(last_login=timezone.now())

    _accept_as(existing, invitation)

    assert User.objects.filter(pk=placeholder.pk).exists()


def test_imported_account_with_consent_records_is_kept(invite, notice):
    existing = UserFactory(mobile=MOBILE)
    _, invitation, placeholder = invite(mobile=MOBILE)
    consent_grant(
        user=placeholder, purpose=Purpose.MARKETING_EMAIL, wording="News", method="settings"
    )

    _accept_as(existing, invitation)

    assert User.objects.filter(pk=placeholder.pk).exists()


def test_imported_parent_accepting_their_own_invitation_is_not_deleted(invite, notice):
    _, invitation, parent = invite()

    _accept_as(parent, invitation)

    parent.refresh_from_db()
    assert parent.is_active


# Links that do not work


def _used(invitation, parent):
    _accept_as(parent, invitation)


def _expired_but_not_yet_marked(invitation, parent):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), status=Invitation.Status.SENT
    )


def _expired(invitation, parent):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), status=Invitation.Status.EXPIRED
    )


def _revoked(invitation, parent):
    invitation_revoke(invitation=invitation, actor=parent)


@pytest.mark.parametrize("spoil", [_used, _expired_but_not_yet_marked, _expired, _revoked])
def test_dead_link_shows_ask_the_school_page_with_410(client, invite, notice, spoil):
    token, invitation, parent = invite()
    spoil(invitation, parent)

    page = client.get(url(token), follow=True)
    posted = client.post(url(token), registration())

    assert page.status_code == 410
    assert "send you a new invitation" in page.content.decode()
    assert "Oakfield Primary" not in page.content.decode()
    assert posted.status_code == 410


def test_unknown_token_shows_the_same_page_with_404(client):
    response = client.get(url("not-a-real-token"))

    assert response.status_code == 404
    assert "Ask your child" in response.content.decode()
    assert "send you a new invitation" in response.content.decode()


def test_accepting_twice_shows_the_used_page_not_a_500(client, invite, notice):
    token, invitation, _ = invite()
    first = client.post(url(token), registration())
    client.logout()

    second = client.post(url(token), registration())

    assert first.status_code == 302
    assert second.status_code == 410
    assert Guardianship.objects.filter(pupil__in=invitation.pupils.all()).count() == 1


def test_the_parent_who_accepted_clicking_again_goes_to_their_children(client, invite, notice):
    token, _, _ = invite()
    client.post(url(token), registration())

    response = client.post(url(token), registration())

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:parent_home")


def test_invitation_used_between_page_and_submit_shows_the_used_page(client, invite, notice):
    existing = UserFactory(mobile=MOBILE)
    token, _, _ = invite(mobile=MOBILE)
    client.force_login(existing)
    client.get(url(token), follow=True)
    _accept_as(UserFactory(mobile=MOBILE), invitation_for_token(token))

    response = client.post(url(token), {"platform": "on"})

    assert response.status_code == 410
    assert not children_of(existing).exists()


# Token guessing


def test_token_guessing_is_rate_limited_per_address(client, invite):
    token, _, _ = invite()
    for n in range(accept_views.GUESS_LIMIT):
        assert client.get(url(f"guess-{n}")).status_code == 404

    blocked = client.get(url("guess-one-more"))
    valid_while_blocked = client.get(url(token), follow=True)
    other_address = client.get(url(token), follow=True, REMOTE_ADDR="203.0.113.9")

    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(accept_views.GUESS_WINDOW)
    assert "Too many tries" in blocked.content.decode()
    assert valid_while_blocked.status_code == 429
    assert other_address.status_code == 200


def test_guesses_from_one_ipv6_network_count_together(client):
    for n in range(accept_views.GUESS_LIMIT):
        client.get(url(f"guess-{n}"), REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")

    assert client.get(url("guess"), REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert client.get(url("guess"), REMOTE_ADDR="2001:db8:1:3::1").status_code == 404


def test_the_guessing_limit_ends_after_its_window(client, invite, monkeypatch):
    token, _, _ = invite()
    monkeypatch.setattr(accept_views, "GUESS_WINDOW", 1)
    for n in range(accept_views.GUESS_LIMIT):
        client.get(url(f"guess-{n}"))
    assert client.get(url(token), follow=True).status_code == 429

    time.sleep(1.2)

    assert client.get(url(token), follow=True).status_code == 200


def test_opening_a_valid_link_many_times_is_not_limited(client, invite):
    token, _, _ = invite()

    statuses = {
        client.get(url(token), follow=True).status_code for _ in range(accept_views.GUESS_LIMIT + 5)
    }

    assert statuses == {200}


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_join_once_and_the_other_sees_the_used_page(
    invite, notice, monkeypatch
):
    from django.test import Client

    from invitations.services import accepting as invitations

    needs_postgresql()
    token, invitation, parent = invite()
    attach = invitations._attach_children

    def slow_attach(**kwargs):
        time.sleep(0.3)  # hold the invitation's row lock while the other request waits
        attach(**kwargs)

    monkeypatch.setattr(invitations, "_attach_children", slow_attach)

    def submit():
        return Client().post(url(token), registration()).status_code

    race = at_once(submit, submit)
    assert race.errors == []
    assert sorted(race.results) == [302, 410]
    assert ConsentRecord.objects.filter(user=parent, purpose=Purpose.PLATFORM).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == parent
