"""The demo as `make demo` seeds it lets a newcomer try an invitation: the demo admin
invites a class, the DEBUG-only outbox page shows the link, and a parent registers
through it and sees the child, with consent recorded against a published notice."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from accounts.access import children_of
from accounts.models import Membership, User
from consent.models import ConsentRecord, PrivacyNotice, Purpose
from consent.selectors import privacy_status
from consent.wording import PURPOSE_STATEMENT
from demo.accounts import (
    DEMO_ADMIN,
    DEMO_CHILDREN,
    DEMO_NOTICE_VERSION,
    DEMO_PARENT,
    DEMO_PASSWORD,
    demo_backup_codes,
)
from demo.learning import DEMO_ASSIGNMENT_MESSAGE, DEMO_ASSIGNMENT_TOPIC
from invitations.models import Invitation
from invitations.selectors import invitation_for_token
from invitations.services import (
    CLAIM_CODE_TEMPLATE,
    claim_code_send,
    invitation_register,
    invitations_create,
)
from learning.models import Assignment
from notifications.models import Message
from schools.models import Guardianship, School
from tests.consent.notices import published_notice
from tests.invitations.test_invitations import TOKEN_IN_LINK, token_from_outbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-orchard-lantern-42"


def make_demo_seed_arguments() -> list[str]:
    """The arguments the Makefile's demo target gives seed_demo, so that these tests
    seed what a newcomer gets."""
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if "manage.py seed_demo" in line)
    return shlex.split(line.split("seed_demo", 1)[1])


def seed_as_make_demo() -> None:
    call_command("seed_demo", *make_demo_seed_arguments(), stdout=StringIO())


def admin_school() -> School:
    return Membership.objects.get(user__email=DEMO_ADMIN.email).school


def uninvited_imported_parents(school: School):
    """Parents the roster brought in at ``school`` who have not joined or been invited."""
    return (
        User.objects.filter(
            is_active=False,
            guardianships__pupil__school=school,
            guardianships__confirmed_at__isnull=True,
        )
        .exclude(invitations__school=school)
        .distinct()
    )


def sign_in_as_demo_admin(client) -> None:
    """With the password and a backup code, as demo_logins prints them."""
    client.login(email=DEMO_ADMIN.email, password=DEMO_PASSWORD)
    code = demo_backup_codes(DEMO_ADMIN.email)[0]
    response = client.post(reverse("accounts:two_factor_verify"), {"token": code})
    assert response.status_code == 302, response.content.decode()


def registration(**fields) -> dict:
    return {
        "first_name": "Sam",
        "last_name": "Newcomer",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "platform": "on",
        **fields,
    }


def test_make_demo_publishes_one_privacy_notice_and_the_demo_parent_agreed_to_it():
    seed_as_make_demo()
    seed_as_make_demo()

    notice = PrivacyNotice.current()
    assert notice is not None and notice.version == DEMO_NOTICE_VERSION
    assert PrivacyNotice.objects.count() == 1
    assert notice.text and notice.summary_of_changes
    parent = User.objects.get(email=DEMO_PARENT.email)
    records = ConsentRecord.objects.filter(user=parent)
    assert list(records.values_list("purpose", "granted", "notice", "wording")) == [
        (Purpose.PLATFORM, True, notice.pk, PURPOSE_STATEMENT[Purpose.PLATFORM])
    ]
    assert not privacy_status(user=parent).must_consent


def test_a_notice_already_published_stays_the_current_one():
    existing = published_notice(version="4.2")

    seed_as_make_demo()

    assert PrivacyNotice.current() == existing
    assert not PrivacyNotice.objects.filter(version=DEMO_NOTICE_VERSION).exists()
    parent = User.objects.get(email=DEMO_PARENT.email)
    assert ConsentRecord.objects.get(user=parent).notice == existing


def test_the_admins_school_has_uninvited_parents_with_an_email_and_with_only_a_mobile():
    seed_as_make_demo()
    school = admin_school()
    parents = uninvited_imported_parents(school)

    assert not Invitation.objects.exists()
    assert parents.filter(email__isnull=False).exists()
    assert parents.filter(email__isnull=True).exclude(mobile="").exists()
    assert not any(parent.has_usable_password() for parent in parents)


def test_a_newcomer_invites_a_class_follows_the_outbox_link_and_sees_the_child(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True  # as `make demo` runs: the outbox page exists only then
    seed_as_make_demo()
    school = admin_school()
    parent = next(
        parent
        for parent in uninvited_imported_parents(school).filter(email__isnull=False)
        if parent.guardianships.count() == 1
    )
    child = parent.guardianships.get().pupil
    sign_in_as_demo_admin(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations:create", args=[school.pk]),
            {"scope": "class", "channels": "both", "school_class": child.school_class_id},
        )
    assert response.status_code == 302
    client.logout()

    outbox = client.get(reverse("notifications:outbox")).content.decode()
    to_parent = Message.objects.get(to_address=parent.email)
    (token,) = TOKEN_IN_LINK.findall(to_parent.body_text)
    link = f"{settings.SITE_URL}/invitations/{token}/"
    assert f'href="{link}"' in outbox

    page = client.get(f"/invitations/{token}/", follow=True)
    assert page.status_code == 200
    assert child.first_name in page.content.decode()
    response = client.post(f"/invitations/{token}/", registration(marketing_email="on"))
    assert response.status_code == 302

    children_page = client.get(reverse("schools:parent_home")).content.decode()
    assert child.full_name in children_page
    parent.refresh_from_db()
    assert parent.is_active and list(children_of(parent)) == [child]
    notice = PrivacyNotice.current()
    assert set(ConsentRecord.objects.filter(user=parent).values_list("purpose", "notice")) == {
        (Purpose.PLATFORM, notice.pk),
        (Purpose.MARKETING_EMAIL, notice.pk),
    }


def test_a_parent_known_only_by_mobile_joins_with_an_email_they_give(
    django_capture_on_commit_callbacks,
):
    seed_as_make_demo()
    school = admin_school()
    parent = uninvited_imported_parents(school).filter(email__isnull=True).exclude(mobile="")[0]
    children = [g.pupil for g in parent.guardianships.filter(pupil__school=school)]
    admin = User.objects.get(email=DEMO_ADMIN.email)

    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(school=school, pupils=children, channels="both", actor=admin)
    invitation = invitation_for_token(token_from_outbox())
    # No email from the school: a code texted to the invited mobile comes first.
    claim_code_send(invitation=invitation, user=None, actor=None)
    texted = Message.objects.filter(template=CLAIM_CODE_TEMPLATE, channel="sms").get()
    user = invitation_register(
        invitation=invitation,
        first_name="Sam",
        last_name="Newcomer",
        password=NEW_PASSWORD,
        email="sam.newcomer@example.org",
        consents={Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM]},
        code=re.search(r"\b([0-9]{6})\b", texted.body_text).group(1),
    )

    assert user.pk == parent.pk
    assert user.email == "sam.newcomer@example.org" and user.is_active
    assert set(children_of(user)) == set(children)
    assert ConsentRecord.objects.get(user=user).notice == PrivacyNotice.current()


def test_make_demo_again_after_a_parent_joined_starts_afresh_with_a_sound_ledger(
    django_capture_on_commit_callbacks,
):
    seed_as_make_demo()
    school = admin_school()
    parent = uninvited_imported_parents(school).filter(email__isnull=False).first()
    children = [g.pupil for g in parent.guardianships.filter(pupil__school=school)]
    admin = User.objects.get(email=DEMO_ADMIN.email)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(school=school, pupils=children, channels="email", actor=admin)
    invitation_register(
        invitation=invitation_for_token(token_from_outbox()),
        first_name="Sam",
        last_name="Newcomer",
        password=NEW_PASSWORD,
        email=None,
        consents={Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM]},
    )

    assert Message.objects.filter(recipient=parent).exists()

    seed_as_make_demo()

    assert not User.objects.filter(pk=parent.pk).exists()
    assert not ConsentRecord.objects.filter(user_id=parent.pk).exists()
    assert not Invitation.objects.exists()
    assert not Message.objects.exists()  # no dead invitation links left in the outbox
    demo_parent = User.objects.get(email=DEMO_PARENT.email)
    assert ConsentRecord.objects.filter(user=demo_parent).count() == 1
    assert Guardianship.objects.filter(parent=demo_parent, confirmed_at__isnull=False).count() == 3
    call_command("check_consent_ledger", stdout=StringIO())


def test_demo_logins_tells_the_newcomer_how_to_try_an_invitation(settings):
    seed_as_make_demo()
    settings.DEBUG = True
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert f"{settings.SITE_URL.rstrip('/')}/outbox/" in text
    assert re.search(r"Invite parents.*Invite this class", text)


def test_the_demo_parent_finds_the_demo_topic_in_their_childs_space_and_earns_an_award(
    client, django_capture_on_commit_callbacks
):
    seed_as_make_demo()
    parent = User.objects.get(email=DEMO_PARENT.email)
    child = parent.guardianships.get(pupil__first_name=DEMO_CHILDREN[0][0]).pupil
    assignment = Assignment.objects.get(
        school_class=child.school_class, topic__title=DEMO_ASSIGNMENT_TOPIC.title
    )
    client.login(email=DEMO_PARENT.email, password=DEMO_PASSWORD)

    home = client.get(reverse("schools:parent_home")).content.decode()
    space = client.get(reverse("learning:child_space", args=[child.pk])).content.decode()
    topic_page = client.get(reverse("learning:child_assignment", args=[child.pk, assignment.pk]))

    assert "1 topic to do now" in home
    assert DEMO_ASSIGNMENT_TOPIC.title in space
    assert f"0 of {len(DEMO_ASSIGNMENT_TOPIC.activities)} activities done" in space
    content = topic_page.content.decode()
    assert all(escape(spec.title) in content for spec in DEMO_ASSIGNMENT_TOPIC.activities)
    assert "Play the video" in content
    assert escape(DEMO_ASSIGNMENT_MESSAGE) in content

    first = assignment.topic.activities.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("learning:child_activity_done", args=[child.pk, assignment.pk, first.pk])
        )
    space = client.get(reverse("learning:child_space", args=[child.pk])).content.decode()
    assert "First activity" in space


def test_demo_logins_tells_the_newcomer_how_to_try_home_learning(settings):
    seed_as_make_demo()
    settings.DEBUG = True
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert "Try home learning" in text
    assert f"open {DEMO_CHILDREN[0][0]}'s space: '{DEMO_ASSIGNMENT_TOPIC.title}' is set" in text
    assert "'Ratings, comments and photos'" in text
