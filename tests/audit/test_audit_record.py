"""audit_record: who did what, written in the caller's transaction."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit.models import AuditEntry
from audit.services import audit_record
from tests.factories import PupilFactory, SchoolClassFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_names_its_subject_by_model_label_and_primary_key():
    actor = UserFactory()
    school_class = SchoolClassFactory()

    entry = audit_record(actor=actor, action="school_class.rename", subject=school_class)

    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.action == "school_class.rename"
    assert entry.subject_type == "schools.schoolclass"
    assert entry.subject_id == str(school_class.pk)
    assert entry.redacted_at is None


def test_the_school_is_taken_from_the_subject():
    pupil = PupilFactory()

    entry = audit_record(actor=UserFactory(), action="pupil.remove", subject=pupil)

    assert AuditEntry.objects.get(pk=entry.pk).school_id == pupil.school_id


def test_a_school_as_the_subject_is_the_entrys_school():
    school = SchoolFactory()

    entry = audit_record(actor=UserFactory(), action="school.offboard", subject=school)

    entry.refresh_from_db()
    assert entry.school == school
    assert entry.subject_type == "schools.school"


def test_a_school_given_outright_wins_over_the_subjects():
    pupil = PupilFactory()
    other = SchoolFactory()

    entry = audit_record(actor=None, action="pupil.transfer", subject=pupil, school=other)

    assert AuditEntry.objects.get(pk=entry.pk).school == other


def test_an_entry_without_a_subject_has_none():
    school = SchoolFactory()

    entry = audit_record(actor=None, action="roster.import", school=school)

    entry.refresh_from_db()
    assert (entry.subject_type, entry.subject_id, entry.school) == ("", "", school)


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_system_work_and_anonymous_visitors_have_no_actor(actor):
    entry = audit_record(actor=actor, action="invitation.expire", subject=SchoolFactory())

    assert AuditEntry.objects.get(pk=entry.pk).actor is None


@pytest.mark.parametrize(
    "action",
    [
        "",
        "revoke",
        "Invitation.revoke",
        "invitation.",
        ".revoke",
        "invitation revoke",
        "invitation.revoke!",
        "invitation-revoke",
        "a" * 60 + ".revoke",
        None,
    ],
)
def test_an_action_that_is_not_noun_dot_verb_is_refused(action):
    with pytest.raises(ValueError, match=r"noun\.verb"):
        audit_record(actor=None, action=action, school=SchoolFactory())

    assert not AuditEntry.objects.exists()


def test_an_unsaved_subject_is_refused():
    with pytest.raises(ValueError, match="saved"):
        audit_record(actor=None, action="school.create", subject=SchoolFactory.build())


def test_changes_are_stored_as_plain_json():
    pupil = PupilFactory()

    entry = audit_record(
        actor=None,
        action="assignment.update",
        school=pupil.school,
        changes={
            "due_on": date(2025, 3, 31),
            "sent_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
            "score": Decimal("1.50"),
            "pupil": pupil,
            "classes": {3, 1},
            "nested": {"from": [date(2025, 1, 2)], "to": None},
        },
    )

    expected = {
        "due_on": "2025-03-31",
        "sent_at": "2025-03-01T09:30:00Z",
        "score": "1.50",
        "pupil": pupil.pk,
        "classes": [1, 3],
        "nested": {"from": ["2025-01-02"], "to": None},
    }
    assert entry.changes == expected
    assert AuditEntry.objects.get(pk=entry.pk).changes == expected


def test_changes_that_cannot_be_json_are_refused():
    with pytest.raises(TypeError):
        audit_record(
            actor=None, action="school.update", school=SchoolFactory(), changes={"x": object()}
        )

    assert not AuditEntry.objects.exists()


def test_an_entry_rolls_back_with_the_change_it_records():
    school = SchoolFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        school.name = "Renamed"
        school.save()
        audit_record(actor=None, action="school.rename", subject=school)
        raise RuntimeError("the change failed after it was recorded")

    assert not AuditEntry.objects.exists()
    school.refresh_from_db()
    assert school.name != "Renamed"


def test_an_entry_reads_without_personal_data():
    actor = UserFactory(first_name="Zebedee", last_name="Quill", email="zq@example.org")
    entry = audit_record(actor=actor, action="invitation.revoke", subject=PupilFactory())

    text = str(entry)

    assert "invitation.revoke" in text
    assert "Zebedee" not in text and "zq@example.org" not in text


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("invitation.revoke", "Invitation: revoke"),
        ("roster_import.apply", "Roster import: apply"),
        ("consent.media_promotion.grant", "Consent media promotion: grant"),
    ],
)
def test_an_action_reads_as_words(action, label):
    entry = audit_record(actor=None, action=action, school=SchoolFactory())

    assert entry.action_label == label


def test_a_subject_reads_as_its_kind_and_id():
    school_class = SchoolClassFactory()
    entry = audit_record(actor=None, action="school_class.rename", subject=school_class)

    assert entry.subject_label == f"Class #{school_class.pk}"
