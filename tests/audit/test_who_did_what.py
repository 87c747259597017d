"""Every service that takes an ``actor`` records who did what, in its own transaction.

Each test calls one service the way its page does and reads back the one entry it
wrote: action, actor, school and subject, and what changed, without names, emails
or the words families wrote. ``test_every_service_with_an_actor_is_covered`` fails
when a new service takes an actor and nobody wrote its test here.
"""

import importlib
import inspect
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from accounts.models import Membership
from accounts.services import (
    account_close,
    account_restore,
    accounts_close,
    platform_staff_invite,
    processing_restriction_set,
    staff_add,
)
from audit.models import AuditEntry
from consent.models import Method, PrivacyNotice, Purpose
from consent.services import consent_change, consent_grant, consent_withdraw, notice_publish
from consent.wording import PURPOSE_STATEMENT
from invitations.services import (
    claim_code_send,
    invitation_accept,
    invitation_resend,
    invitation_retry,
    invitation_revoke,
    invitation_status_follow,
    invitations_create,
)
from learning.models import Activity, Feedback, Topic
from learning.services import (
    activity_create,
    activity_delete,
    activity_move,
    activity_update,
    assignment_delete,
    assignment_open_record,
    assignment_update,
    assignments_create,
    completion_record,
    completion_undo,
    feedback_moderate,
    feedback_remove,
    feedback_save,
    school_today,
    topic_create,
    topic_delete,
    topic_update,
)
from notifications.services import notification_preferences_set, notifications_stop
from privacy.models import PrivacyRequest
from privacy.services import (
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
    pupil_data_export,
    school_data_export,
    user_data_export,
)
from schools.models import YearGroup
from schools.services import (
    class_teachers_set,
    guardianship_end,
    pupil_mark_left,
    roster_apply,
    roster_import_apply,
    roster_import_start,
    school_offboard,
    school_onboard,
    school_settings_update,
    school_update,
    staff_member_remove,
)
from tests.admin.platform_staff import platform_staff_group
from tests.consent.notices import PrivacyNoticeFactory, published_notice
from tests.factories import (
    GuardianshipFactory,
    MembershipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed
from tests.learning.space_world import family_world
from tests.schools.roster_files import roster, row

pytestmark = pytest.mark.django_db

# Services that take an actor and deliberately write no audit entry, and why.
NOT_AUDITED = {
    # The engagement Event it appends is itself the record of who did what.
    "engagement.services.events.event_record",
    # Writes the entry itself.
    "audit.services.audit_record",
}

# Covered by a test below (module path of the function, as services re-export it).
AUDITED = {
    "accounts.services.staff.staff_add",
    "accounts.services.staff.platform_staff_invite",
    "accounts.services.restriction.processing_restriction_set",
    "accounts.services.closing.account_close",
    "accounts.services.closing.accounts_close",
    "accounts.services.closing.account_restore",
    "schools.services.onboarding.school_onboard",
    "schools.services.onboarding.school_update",
    "schools.services.classes.class_teachers_set",
    "schools.services.settings.school_settings_update",
    "schools.services.staff.staff_member_remove",
    "schools.services.pupils.guardianship_end",
    "schools.services.pupils.pupil_mark_left",
    "schools.services.leavers.pupils_remove",
    "schools.services.offboarding.school_offboard",
    "schools.services.roster.roster_apply",
    "schools.services.roster_imports.roster_import_start",
    "schools.services.roster_imports.roster_import_apply",
    "invitations.services.sending.invitations_create",
    "invitations.services.sending.invitation_resend",
    "invitations.services.sending.invitation_revoke",
    "invitations.services.retrying.invitation_retry",
    "invitations.services.accepting.invitation_accept",
    "invitations.services.claiming.claim_code_send",
    "learning.services.topics.topic_create",
    "learning.services.topics.topic_update",
    "learning.services.topics.topic_delete",
    "learning.services.topics.activity_create",
    "learning.services.topics.activity_update",
    "learning.services.topics.activity_move",
    "learning.services.topics.activity_delete",
    "learning.services.assignments.assignments_create",
    "learning.services.assignments.assignment_update",
    "learning.services.assignments.assignment_delete",
    "learning.services.feedback.completion_record",
    "learning.services.feedback.completion_undo",
    "learning.services.feedback.feedback_save",
    "learning.services.feedback.feedback_remove",
    "learning.services.feedback.feedback_moderate",
    "learning.services.feedback.assignment_open_record",
    "consent.services.notice_publish",
    "engagement.services.nudges.nudges_send",
    "privacy.services.requests.privacy_request_open",
    "privacy.services.requests.privacy_request_start",
    "privacy.services.requests.privacy_request_close",
    "privacy.services.requests.privacy_request_refuse",
    "privacy.services.requests.privacy_request_restrict",
    "privacy.services.requests.privacy_request_erase",
    "privacy.services.export.user_data_export",
    "privacy.services.export.pupil_data_export",
    "privacy.services.school_export.school_data_export",
    "privacy.services.incidents.incident_record",
    "privacy.services.incidents.incident_update",
    "privacy.services.incidents.incident_scope_set",
    "privacy.services.incidents.incident_report_record",
    "privacy.services.incidents.incident_retrospective_record",
    "privacy.services.incidents.incident_close",
    "privacy.services.notices.incident_notify_schools",
    "privacy.services.notices.incident_notify_families",
    "privacy.services.erasure.user_erase",
    "privacy.services.erasure.user_erase_start",
    "privacy.services.erasure.pupil_anonymise",
    "privacy.services.erasure_requests.erasure_request_open",
}


def _services_with_an_actor():
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in {
            "accounts",
            "schools",
            "invitations",
            "learning",
            "consent",
            "notifications",
            "engagement",
            "audit",
            "privacy",
        }:
            continue
        try:
            package = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        for _, function in inspect.getmembers(package, inspect.isfunction):
            if function.__module__.startswith(config.name) and (
                "actor" in inspect.signature(function).parameters
            ):
                yield f"{function.__module__}.{function.__name__}"


def test_every_service_with_an_actor_is_covered():
    found = set(_services_with_an_actor())
    assert found - NOT_AUDITED - AUDITED == set(), "a service takes an actor: test its entry"
    assert AUDITED - found == set(), "listed here but no longer a service with an actor"


def only_entry(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [entry.action for entry in AuditEntry.objects.all()]
    return entries[0]


def assert_no_personal_data(entry: AuditEntry, *people) -> None:
    text = json.dumps(entry.changes)
    for person in people:
        for value in (person.first_name, person.last_name, person.email, person.mobile):
            if value:
                assert value not in text, f"{value!r} in {text}"


def as_json(value):
    """``value`` as the trail stores it (dates to the millisecond, in ISO 8601)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def assert_subject(entry: AuditEntry, subject) -> None:
    assert entry.subject_type == subject._meta.label_lower
    assert entry.subject_id == str(subject.pk)


# --- Staff and classes -------------------------------------------------------------


def test_adding_staff_records_the_admin_the_new_membership_and_its_role():
    school = SchoolFactory()
    admin = admin_of(school)
    membership = staff_add(
        school=school,
        email="tess@example.org",
        first_name="Tess",
        last_name="Teacher",
        role=Membership.Role.TEACHER,
        actor=admin,
    )
    entry = only_entry("staff.add")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, membership)
    assert entry.changes == {"user": membership.user_id, "role": "teacher", "new_account": True}
    assert_no_personal_data(entry, membership.user)


def test_inviting_platform_staff_records_the_new_account_as_system_work():
    platform_staff_group()
    user = platform_staff_invite(email="ops@example.org", first_name="Robin", actor=None)
    entry = only_entry("platform_staff.invite")
    assert (entry.actor, entry.school) == (None, None)
    assert_subject(entry, user)
    assert entry.changes == {"user": user.pk, "group": "Platform staff"}
    assert_no_personal_data(entry, user)


def test_restricting_and_lifting_record_who_asked_and_nothing_else():
    parent = GuardianshipFactory().parent
    processing_restriction_set(user=parent, restricted=True, actor=parent)
    processing_restriction_set(user=parent, restricted=True, actor=parent)  # no change

    entry = only_entry("user.restrict")
    assert entry.actor == parent
    assert_subject(entry, parent)
    assert entry.changes == {"processing_restricted": True, "on_request": False}
    assert_no_personal_data(entry, parent)

    staff = UserFactory(is_staff=True)
    processing_restriction_set(user=parent, restricted=False, actor=staff)
    lifted = only_entry("user.unrestrict")
    assert lifted.actor == staff
    assert lifted.changes == {"processing_restricted": False, "on_request": True}


def test_closing_and_restoring_an_account_record_why_and_who():
    parent = GuardianshipFactory().parent
    account_close(user=parent, actor=parent, reason="own_request")

    closed = only_entry("user.close")
    assert closed.actor == parent
    assert_subject(closed, parent)
    assert closed.changes["reason"] == "own_request"
    assert set(closed.changes) == {"reason", "delete_after", "messages_cancelled", "sessions_ended"}
    assert_no_personal_data(closed, parent)

    staff = UserFactory(is_staff=True)
    account_restore(user=parent, actor=staff)
    restored = only_entry("user.restore")
    assert restored.actor == staff
    assert set(restored.changes) == {"closed_at"}


def test_closing_accounts_in_a_batch_records_one_entry_each_as_closing_one_does():
    parents = [GuardianshipFactory().parent for _ in range(2)]
    accounts_close(users=parents, actor=None, reason="inactive")

    entries = AuditEntry.objects.filter(action="user.close").order_by("subject_id")
    assert [entry.subject_id for entry in entries] == sorted(str(p.pk) for p in parents)
    for entry, parent in zip(entries, sorted(parents, key=lambda p: str(p.pk)), strict=True):
        assert entry.actor is None
        assert entry.changes["reason"] == "inactive"
        assert set(entry.changes) == {
            "reason",
            "delete_after",
            "messages_cancelled",
            "sessions_ended",
        }
        assert_no_personal_data(entry, parent)
    assert accounts_close(users=parents, actor=None, reason="inactive") == []
    assert AuditEntry.objects.filter(action="user.close").count() == 2


def test_opening_a_privacy_request_records_its_kind_and_due_date_not_its_wording():
    link = GuardianshipFactory()
    admin = admin_of(link.pupil.school)
    request = privacy_request_open(
        kind="access",
        actor=admin,
        requester=link.parent,
        subject_pupil=link.pupil,
        details="Please send me everything you hold about my son",
    )

    entry = only_entry("privacy_request.open")
    assert entry.actor == admin
    assert entry.school == link.pupil.school
    assert entry.changes["kind"] == "access"
    assert request.due_at - request.received_at == timedelta(days=30)
    assert "everything" not in json.dumps(entry.changes)


def test_onboarding_records_the_school_and_its_first_admin():
    staff = UserFactory(is_staff=True)
    school = school_onboard(
        name="Riverside Primary",
        urn="100234",
        kind="school",
        admin_email="priya@example.org",
        admin_first_name="Priya",
        admin_last_name="Shah",
        actor=staff,
    )
    entry = only_entry("school.create")
    assert (entry.actor, entry.school) == (staff, school)
    assert_subject(entry, school)
    assert entry.changes == {"urn": "100234", "kind": "school"}
    added = only_entry("staff.add")
    assert (added.actor, added.school) == (staff, school)
    assert_no_personal_data(added, school.memberships.get().user)


def test_changing_a_schools_details_records_what_changed():
    staff = UserFactory(is_staff=True)
    school = SchoolFactory(name="Oakfeld", urn="123456")
    school_update(school=school, actor=staff, name="Oakfield", urn="123456")
    entry = only_entry("school.update")
    assert (entry.actor, entry.school) == (staff, school)
    assert entry.changes == {"name": ["Oakfeld", "Oakfield"]}


def test_setting_a_class_teachers_records_who_taught_it_before_and_after():
    school_class = SchoolClassFactory()
    before = teacher_of(school_class)
    after = MembershipFactory(school=school_class.school).user
    admin = admin_of(school_class.school)
    class_teachers_set(school_class=school_class, teachers=[after], actor=admin)
    entry = only_entry("class.teachers_set")
    assert (entry.actor, entry.school) == (admin, school_class.school)
    assert_subject(entry, school_class)
    assert entry.changes == {"teachers": [[before.pk], [after.pk]]}


def test_changing_a_schools_settings_records_which_fields_changed_not_the_details():
    school = SchoolFactory()
    admin = admin_of(school)
    school_settings_update(
        school=school,
        parent_facing_name="Oakfield",
        contact_email="office@oakfield.example.org",
        contact_phone="020 7946 0123",
        moderate_feedback=True,
        actor=admin,
    )
    entry = only_entry("school.settings_update")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, school)
    assert entry.changes == {
        "fields": ["parent_facing_name", "contact_email", "contact_phone", "moderate_feedback"],
        "moderate_feedback": [False, True],
    }
    assert "office@oakfield.example.org" not in json.dumps(entry.changes)


def test_removing_a_member_of_staff_records_their_roles_and_classes():
    school_class = SchoolClassFactory()
    school = school_class.school
    admin = admin_of(school)
    teacher = teacher_of(school_class)
    staff_member_remove(school=school, member=teacher, actor=admin)
    entry = only_entry("staff.remove")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, teacher)
    assert entry.changes == {"user": teacher.pk, "roles": ["teacher"], "classes": [school_class.pk]}
    assert_no_personal_data(entry, teacher)


def test_removing_a_parents_link_and_marking_a_pupil_left_are_recorded():
    school = SchoolFactory()
    admin = admin_of(school)
    guardianship = GuardianshipFactory(pupil=PupilFactory(school=school))
    guardianship_end(guardianship=guardianship, actor=admin)
    entry = only_entry("guardianship.end")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, guardianship)
    assert entry.changes == {
        "pupil": guardianship.pupil_id,
        "parent": guardianship.parent_id,
        "had_joined": True,
    }
    assert_no_personal_data(entry, guardianship.parent)
    assert guardianship.pupil.first_name not in json.dumps(entry.changes)

    pupil_mark_left(pupil=guardianship.pupil, actor=admin)
    left = only_entry("pupils.remove")
    assert (left.actor, left.school) == (admin, school)
    assert_subject(left, school)
    assert left.changes == {
        "reason": "by_hand",
        "pupils": [guardianship.pupil_id],
        "removed": 1,
        "parents_told": 0,
    }
    assert guardianship.pupil.first_name not in json.dumps(left.changes)


def test_offboarding_a_school_records_counts_and_each_account_it_closed():
    school = SchoolFactory()
    admin = admin_of(school)
    guardianship = GuardianshipFactory(pupil=PupilFactory(school=school))
    staff = UserFactory(is_staff=True)

    school_offboard(school=school, actor=staff)

    entry = only_entry("school.offboard")
    assert (entry.actor, entry.school) == (staff, school)
    assert_subject(entry, school)
    assert entry.changes == {
        "first_time": True,
        "staff_closed": 1,
        "staff_kept": 0,
        "pupils_removed": 1,
        "parents_told": 1,
        "invitations_revoked": 0,
    }
    closed = only_entry("user.close")
    assert (closed.actor, closed.changes["reason"]) == (staff, "school_offboarded")
    assert_subject(closed, admin)
    assert only_entry("pupils.remove").changes["reason"] == "school_offboarded"
    assert_no_personal_data(entry, admin, guardianship.parent)


# --- Roster imports ----------------------------------------------------------------


def test_uploading_and_applying_a_roster_records_counts_never_the_rows(settings):
    settings.ROSTER_BACKGROUND_ROWS = 500
    school = SchoolFactory()
    admin = admin_of(school)
    content = roster(row(1, first="Zelda", email="zelda.parent@example.org", contact_first="Zoe"))
    roster_import = roster_import_start(
        school=school, file_name="roster.csv", content=content, remove_missing=False, actor=admin
    )
    upload = only_entry("roster_import.upload")
    assert (upload.actor, upload.school) == (admin, school)
    assert_subject(upload, roster_import)

    roster_import_apply(roster_import=roster_import, actor=admin)
    applied = only_entry("roster.apply")
    assert (applied.actor, applied.school) == (admin, school)
    assert applied.changes["pupils_create"] == 1
    assert applied.changes["parents_create"] == 1
    assert "Zelda" not in json.dumps(applied.changes)
    assert "zelda.parent@example.org" not in json.dumps(applied.changes)


def test_the_command_line_import_is_recorded_as_system_work():
    school = SchoolFactory()
    roster_apply(school=school, content=roster(row(1)), remove_missing=True, actor=None)
    entry = only_entry("roster.apply")
    assert entry.actor is None
    assert entry.changes["remove_missing"] is True


# --- Invitations -------------------------------------------------------------------


@pytest.fixture
def invited():
    school = SchoolFactory()
    admin = admin_of(school)
    parent = imported_parent(email="carer@example.org", first_name="Cara")
    link_unconfirmed(parent, PupilFactory(school=school))
    (invitation,) = invitations_create(
        school=school, pupils=school.pupils.all(), channels="email", actor=admin
    )
    return school, admin, parent, invitation


def test_inviting_records_one_entry_for_the_whole_invitation(invited):
    school, admin, parent, _ = invited
    entry = only_entry("invitation.create")
    assert (entry.actor, entry.school) == (admin, school)
    assert entry.changes == {"invited": 1, "unreachable": 0, "channels": "email"}
    assert_no_personal_data(entry, parent)


def test_resending_and_revoking_record_the_invitation(invited):
    school, admin, _, invitation = invited
    invitation_resend(invitation=invitation, actor=admin)
    resent = only_entry("invitation.resend")
    assert (resent.actor, resent.school) == (admin, school)
    assert_subject(resent, invitation)

    invitation_revoke(invitation=invitation, actor=admin)
    invitation_revoke(invitation=invitation, actor=admin)  # already revoked: no change
    revoked = only_entry("invitation.revoke")
    assert revoked.changes == {"status": ["pending", "revoked"]}


def test_retrying_a_failed_invitation_records_its_messages(invited):
    from notifications.models import Message

    school, admin, parent, invitation = invited
    message = Message.objects.get(reference=f"invitation:{invitation.pk}")
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED)
    invitation_status_follow(invitation_id=invitation.pk)
    invitation_retry(invitation=invitation, actor=admin)
    entry = only_entry("invitation.retry")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, invitation)
    assert entry.changes == {"messages": [message.pk], "status": ["failed", "pending"]}
    assert_no_personal_data(entry, parent)


def test_accepting_records_the_account_that_accepted(invited):
    school, _, parent, invitation = invited
    published_notice()
    invitation_accept(
        invitation=invitation,
        user=parent,
        consents={Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM]},
        actor=parent,
    )
    entry = only_entry("invitation.accept")
    assert (entry.actor, entry.school) == (parent, school)
    assert entry.changes["accepted_by"] == parent.pk
    assert entry.changes["consents"] == ["platform"]


def test_sending_a_claim_code_records_the_account_asking_not_the_code(invited):
    school, _, parent, invitation = invited
    other = UserFactory(email="other.family@example.org")
    claim = claim_code_send(invitation=invitation, user=other, actor=other)
    entry = only_entry("invitation.claim_code_sent")
    assert (entry.actor, entry.school) == (other, school)
    assert_subject(entry, invitation)
    assert entry.changes == {
        "account": other.pk,
        "invited_account": parent.pk,
        "channels": ["email"],
        "claim_code": claim.pk,
    }
    assert_no_personal_data(entry, parent, other)


# --- Topics and activities ---------------------------------------------------------


def _topic_fields(**overrides):
    fields = {
        "title": "Shapes at home",
        "subject": "maths",
        "year_group_min": YearGroup.Y1,
        "year_group_max": YearGroup.Y3,
    }
    return {**fields, **overrides}


def test_topic_writes_are_recorded_with_what_changed():
    school = SchoolFactory()
    teacher = MembershipFactory(school=school).user
    topic = topic_create(school=school, actor=teacher, **_topic_fields())
    created = only_entry("topic.create")
    assert (created.actor, created.school) == (teacher, school)
    assert_subject(created, topic)

    topic_update(topic=topic, actor=teacher, title="Shapes everywhere", published=True)
    updated = only_entry("topic.update")
    assert updated.changes == {
        "title": ["Shapes at home", "Shapes everywhere"],
        "published": [False, True],
    }

    topic_id = topic.pk
    topic_delete(topic=topic, actor=teacher)
    deleted = only_entry("topic.delete")
    assert deleted.subject_id == str(topic_id)
    assert not Topic.objects.filter(pk=topic_id).exists()


def test_activity_writes_are_recorded_against_the_topics_school():
    school = SchoolFactory()
    teacher = MembershipFactory(school=school).user
    topic = TopicFactory(school=school)
    content = {"kind": Activity.Kind.ACTIVITY, "instructions": "Count.", "video_url": ""}
    first = activity_create(topic=topic, actor=teacher, title="One", **content)
    second = activity_create(topic=topic, actor=teacher, title="Two", **content)
    assert AuditEntry.objects.filter(action="activity.create", school=school).count() == 2

    activity_update(
        activity=first, actor=teacher, title="Uno", video_file=None, game_url="", **content
    )
    assert only_entry("activity.update").changes["topic"] == topic.pk
    activity_move(activity=second, direction="up", actor=teacher)
    assert only_entry("activity.move").changes["position"] == [2, 1]
    activity_delete(activity=first, actor=teacher)
    entry = only_entry("activity.delete")
    assert (entry.actor, entry.school) == (teacher, school)


# --- Work set ----------------------------------------------------------------------


def test_setting_changing_and_withdrawing_work_is_recorded():
    school_class = SchoolClassFactory()
    teacher = teacher_of(school_class)
    topic = TopicFactory()
    start = school_today() + timedelta(days=3)
    (assignment,) = assignments_create(
        topic=topic,
        school_classes=[school_class],
        starts_on=start,
        due_on=start + timedelta(days=7),
        message="Have fun, Mrs Shah",
        actor=teacher,
    )
    created = only_entry("assignment.create")
    assert (created.actor, created.school) == (teacher, school_class.school)
    assert_subject(created, assignment)
    assert created.changes["class"] == school_class.pk

    assignment_update(
        assignment=assignment,
        actor=teacher,
        starts_on=start,
        due_on=start + timedelta(days=9),
        message="Have fun",
    )
    updated = only_entry("assignment.update")
    assert updated.changes["changed"] == ["due_on", "message"]
    assert "Mrs Shah" not in json.dumps(updated.changes)

    assignment_delete(assignment=assignment, actor=teacher)
    assert only_entry("assignment.delete").actor == teacher


# --- What families do, and moderation ----------------------------------------------


def test_a_familys_work_and_its_moderation_are_recorded_without_their_words(private_folder):
    family = family_world(moderate=True)
    activity = family.activities[0]
    assignment_open_record(assignment=family.assignment, pupil=family.pupil, actor=family.parent)
    opened = only_entry("assignment.open")
    assert (opened.actor, opened.school) == (family.parent, family.school)

    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)  # once only
    assert only_entry("completion.record").changes == {
        "pupil": family.pupil.pk,
        "activity": activity.pk,
    }

    other = completion_record(
        pupil=family.pupil, activity=family.activities[1], actor=family.parent
    )
    completion_undo(completion=other, actor=family.parent)
    undone = only_entry("completion.undo")
    assert (undone.actor, undone.school) == (family.parent, family.school)
    assert undone.changes == {"pupil": family.pupil.pk, "activity": family.activities[1].pk}

    feedback = feedback_save(
        pupil=family.pupil,
        activity=activity,
        actor=family.parent,
        rating=5,
        comment="Amara loved the woodlice in our garden",
    )
    saved = only_entry("feedback.save")
    assert saved.changes["rating"] == 5
    assert saved.changes["comment_changed"] is True
    assert "woodlice" not in json.dumps(saved.changes)

    feedback_moderate(feedback=feedback, decision="approve", actor=family.teacher)
    approved = only_entry("feedback.approve")
    assert (approved.actor, approved.school) == (family.teacher, family.school)
    assert_subject(approved, feedback)

    feedback_remove(feedback=Feedback.objects.get(pk=feedback.pk), actor=family.parent)
    assert only_entry("feedback.remove").actor == family.parent


# --- Privacy requests ------------------------------------------------------------------


def test_each_step_of_a_privacy_request_is_recorded_with_ids_and_dates_only():
    school = SchoolFactory()
    admin = admin_of(school)
    guardianship = GuardianshipFactory(pupil=PupilFactory(school=school))
    parent, pupil = guardianship.parent, guardianship.pupil
    request = privacy_request_open(
        kind=PrivacyRequest.Kind.ACCESS,
        actor=admin,
        subject_pupil=pupil,
        details=f"A copy of everything about {pupil.first_name}, please",
    )
    opened = only_entry("privacy_request.open")
    assert (opened.actor, opened.school) == (admin, school)
    assert_subject(opened, request)
    assert opened.changes["subject_pupil"] == pupil.pk
    assert set(opened.changes) == {
        "kind",
        "received_at",
        "due_at",
        "subject_user",
        "subject_pupil",
        "on_behalf",
    }

    privacy_request_start(privacy_request=request, actor=admin)
    assert only_entry("privacy_request.start").changes["status"] == ["open", "in_progress"]
    privacy_request_close(
        privacy_request=request, actor=admin, outcome=f"Posted to {parent.last_name}"
    )
    closed = only_entry("privacy_request.close")
    assert (closed.actor, closed.school) == (admin, school)
    assert closed.changes["status"] == ["in_progress", "done"]

    other = privacy_request_open(kind="objection", actor=admin, subject_user=parent, school=school)
    privacy_request_refuse(privacy_request=other, actor=admin, reason=f"{parent.first_name} ...")
    refused = only_entry("privacy_request.refuse")
    assert_subject(refused, other)
    for entry in AuditEntry.objects.filter(action__startswith="privacy_request."):
        assert pupil.first_name not in json.dumps(entry.changes)
        assert_no_personal_data(entry, parent)


def test_restricting_or_erasing_on_request_records_the_step_and_the_closing(monkeypatch):
    import sys
    import types

    school = SchoolFactory()
    admin = admin_of(school)
    parent = GuardianshipFactory(pupil=PupilFactory(school=school)).parent
    restriction = privacy_request_open(
        kind="restriction", actor=admin, subject_user=parent, school=school
    )
    privacy_request_restrict(privacy_request=restriction, actor=admin, restricted=True)
    restricted = only_entry("user.restrict")
    assert restricted.changes == {"processing_restricted": True, "on_request": True}
    assert_subject(only_entry("privacy_request.close"), restriction)

    # Erasure itself is recorded by user_erase (its own tests): here, its closing.
    erasure = types.ModuleType("privacy.services.erasure")
    erasure.user_erase = lambda *, user, actor, reason: {}
    monkeypatch.setitem(sys.modules, "privacy.services.erasure", erasure)
    request = privacy_request_open(kind="erasure", actor=admin, subject_user=parent, school=school)
    privacy_request_erase(privacy_request=request, actor=admin)
    closings = AuditEntry.objects.filter(action="privacy_request.close", subject_id=str(request.pk))
    assert [entry.actor for entry in closings] == [admin]


# --- Privacy notices, consent and preferences ---------------------------------------


def test_a_teachers_nudge_is_recorded_with_ids_and_counts(settings):
    from engagement.services import nudges_send
    from tests.engagement.dashboard_world import build_world

    settings.QUIET_HOURS = None
    world = build_world()
    nudges_send(
        assignment=world.assignment,
        pupil_ids=[world.silent.pk, world.unreached.pk],
        actor=world.teacher,
    )
    entry = only_entry("nudge.send")
    assert entry.actor == world.teacher
    assert entry.school_id == world.school.pk
    assert_subject(entry, world.assignment)
    assert entry.changes["parents"] == [world.parents["silent"].pk]
    assert entry.changes["skipped_no_parent"] == 1
    assert_no_personal_data(entry, world.parents["silent"])
    assert world.silent.last_name not in json.dumps(entry.changes)


def test_publishing_a_notice_is_recorded():
    staff = UserFactory(is_staff=True)
    notice = notice_publish(notice=PrivacyNoticeFactory(), actor=staff)
    entry = only_entry("privacy_notice.publish")
    assert (entry.actor, entry.school) == (staff, None)
    assert_subject(entry, notice)
    assert entry.changes["version"] == notice.version


def test_each_consent_given_or_withdrawn_is_recorded_with_the_person_as_actor():
    user = UserFactory()
    notice = published_notice()
    wording = PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION]
    consent_grant(
        user=user,
        purpose=Purpose.MEDIA_PROMOTION,
        wording=wording,
        method=Method.SETTINGS,
        notice=notice,
    )
    consent_withdraw(
        user=user, purpose=Purpose.MEDIA_PROMOTION, wording=wording, method=Method.SETTINGS
    )
    consent_change(
        user=user,
        purpose=Purpose.MEDIA_PROMOTION,
        granted=False,
        wording=wording,
        method=Method.SETTINGS,
    )  # already withdrawn: nothing new
    granted = only_entry("consent.grant")
    assert granted.actor == user
    assert granted.changes == {
        "purpose": "media_promotion",
        "method": "settings",
        "notice": notice.pk,
    }
    assert only_entry("consent.withdraw").changes["notice"] is None
    assert PrivacyNotice.objects.count() == 1


def test_notification_settings_are_recorded():
    user = UserFactory()
    notification_preferences_set(user=user, engagement_email=True, engagement_sms=False)
    entry = only_entry("notification_preference.set")
    assert entry.actor == user
    assert entry.changes == {
        "engagement_email": True,
        "engagement_sms": False,
        "new_work": True,
        "reminders": True,
        "awards": True,
    }


def test_stopping_news_from_a_link_and_turning_it_back_on_are_recorded():
    user = UserFactory()
    notifications_stop(user=user, scope="awards", via="link")
    notifications_stop(user=user, scope="awards", via="undo", resume=True)
    stopped = only_entry("notification_preference.stop")
    assert stopped.actor == user
    assert stopped.changes == {"awards": False, "via": "link"}
    assert only_entry("notification_preference.resume").changes == {"awards": True, "via": "undo"}


# --- Personal data: requests and exports ---------------------------------------------


def test_a_parents_download_of_their_data_records_ids_and_counts():
    link = GuardianshipFactory()
    user_data_export(user=link.parent, actor=link.parent)
    entry = only_entry("privacy.export")
    assert (entry.actor, entry.school) == (link.parent, None)
    assert_subject(entry, link.parent)
    assert entry.changes["user"] == link.parent.pk and entry.changes["children"] == 1
    assert set(entry.changes) == {"user", "rows", "files", "files_missing", "children"}
    assert_no_personal_data(entry, link.parent)
    assert link.pupil.first_name not in json.dumps(entry.changes)


def test_a_schools_export_of_one_pupil_records_the_admin_and_the_pupil():
    link = GuardianshipFactory()
    admin = admin_of(link.pupil.school)
    pupil_data_export(pupil=link.pupil, actor=admin)
    entry = only_entry("privacy.export")
    assert (entry.actor, entry.school) == (admin, link.pupil.school)
    assert_subject(entry, link.pupil)
    assert set(entry.changes) == {"pupil", "rows", "files", "files_missing"}
    assert_no_personal_data(entry, link.parent)
    assert link.pupil.first_name not in json.dumps(entry.changes)


def test_a_schools_whole_export_records_its_format_and_counts():
    link = GuardianshipFactory()
    school = link.pupil.school
    admin = admin_of(school)
    school_data_export(school=school, export_format="csv", actor=admin)
    entry = only_entry("school.export")
    assert (entry.actor, entry.school) == (admin, school)
    assert_subject(entry, school)
    assert entry.changes == {
        "format": "csv",
        "pupils": 1,
        "parents": 1,
        "engagement": 0,
        "feedback": 0,
    }


# --- The breach register ---------------------------------------


def test_each_step_of_an_incident_is_recorded_with_ids_counts_and_dates_only():
    from privacy.services import (
        incident_close,
        incident_notify_families,
        incident_notify_schools,
        incident_report_record,
        incident_retrospective_record,
        incident_scope_set,
        incident_update,
    )
    from tests.privacy.incident_world import build_world, recorded

    world = build_world()
    staff = UserFactory(is_staff=True)
    incident = recorded(actor=staff, description="Sent to Parentrobin by mistake")
    entry = only_entry("incident.record")
    assert (entry.actor, entry.school) == (staff, None)
    assert_subject(entry, incident)
    assert entry.changes == {
        "found_at": as_json(incident.found_at),
        "data_categories": ["pupil_identity"],
        "ico_due_at": as_json(incident.ico_due_at),
    }

    incident_update(incident=incident, actor=staff, notice_summary="A list went astray.")
    assert only_entry("incident.update").changes == {"fields": ["notice_summary"]}

    incident_scope_set(incident=incident, kind="classes", classes=[world.robins], actor=staff)
    scope = only_entry("incident.scope")
    assert scope.actor == staff
    assert scope.changes == {
        "kind": "classes",
        "schools": [],
        "classes": [world.robins.pk],
        "from": None,
        "until": None,
        "template": "",
        "channel": "",
        "affected_schools": 1,
        "affected_parents": 2,
        "affected_pupils": 2,
        "affected_staff": 1,
    }

    incident_report_record(
        incident=incident, actor=staff, reported=False, reason="Only Parentrobin saw it"
    )
    report = only_entry("incident.report")
    assert report.changes["reported"] is False
    assert report.changes["on_time"] is True
    assert report.changes["reference_given"] is False

    incident_notify_schools(incident=incident, actor=staff)
    schools = only_entry("incident.notify_schools")
    assert schools.changes["admins"] == 1
    assert schools.changes["queued"] == 1
    assert schools.changes["on_time"] is True

    incident_notify_families(incident=incident, actor=staff)
    families = only_entry("incident.notify_families")
    assert families.changes == {
        "parents": 2,
        "queued": 3,
        "unreachable": 0,
        "closed_accounts": 0,
        "restricted_accounts": 0,
        "first_sent_at": as_json(incident.families_notified_at),
    }

    incident_retrospective_record(incident=incident, text="Parentrobin was kind.", actor=staff)
    assert only_entry("incident.retrospective").changes["rewritten"] is False

    incident_close(incident=incident, actor=staff)
    closed = only_entry("incident.close")
    assert closed.changes == {
        "closed_at": as_json(incident.closed_at),
        "school_notices": 1,
        "family_notices": 3,
    }
    for entry in AuditEntry.objects.filter(action__startswith="incident."):
        assert entry.actor == staff
        assert_subject(entry, incident)
        assert_no_personal_data(entry, *world.parents.values(), world.oak_admin)
        assert "Parentrobin" not in json.dumps(entry.changes)
        assert "astray" not in json.dumps(entry.changes)


def test_an_entry_rolls_back_with_the_change_it_records():
    school = SchoolFactory()
    teacher = MembershipFactory(school=school).user
    with pytest.raises(RuntimeError), transaction.atomic():
        topic_create(school=school, actor=teacher, **_topic_fields())
        raise RuntimeError("the request failed after the service")
    assert not AuditEntry.objects.exists()


# --- Erasure -------------------------------------------------------------------------


def test_an_erasure_records_one_entry_with_ids_and_counts_and_no_one_is_named():
    from privacy.services import user_erase_start

    link = GuardianshipFactory()
    parent, pupil = link.parent, link.pupil
    user_erase_start(user=parent, actor=parent)

    erased = only_entry("user.erase")
    assert erased.actor == parent
    assert_subject(erased, parent)
    assert erased.changes["reason"] == "own_request"
    assert erased.changes["children_anonymised"] == [pupil.pk]
    assert set(erased.changes) == {"reason", "children_anonymised", "children_kept", "rows"}
    anonymised = only_entry("pupil.anonymise")
    assert (anonymised.actor, anonymised.school) == (parent, pupil.school)
    assert_subject(anonymised, pupil)
    assert set(anonymised.changes) == {"reason", "rows"}
    assert all(isinstance(number, int) for number in anonymised.changes["rows"].values())
    for entry in (erased, anonymised):
        assert_no_personal_data(entry, parent)
        assert pupil.first_name not in json.dumps(entry.changes)


def test_staff_anonymising_a_pupil_are_recorded_against_the_school():
    from privacy.services import pupil_anonymise

    pupil = PupilFactory()
    admin = admin_of(pupil.school)
    pupil_anonymise(pupil=pupil, actor=admin, reason="staff_on_request")

    entry = only_entry("pupil.anonymise")
    assert (entry.actor, entry.school) == (admin, pupil.school)
    assert entry.changes["reason"] == "staff_on_request"


def test_a_staff_members_erasure_request_is_recorded_once():
    from privacy.services import erasure_request_open

    teacher = MembershipFactory().user
    first = erasure_request_open(user=teacher, actor=teacher)
    again = erasure_request_open(user=teacher, actor=teacher)

    assert first == again
    entry = only_entry("privacy_request.open")
    assert entry.actor == teacher
    assert entry.changes["kind"] == "erasure"
    assert_no_personal_data(entry, teacher)
