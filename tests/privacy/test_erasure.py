"""The right to erasure (``privacy.services.user_erase``) and a pupil's
anonymisation (``pupil_anonymise``): what goes, what stays without identity, who
keeps a child, and that running either again, or with many events, costs nothing more."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.access import children_of
from accounts.models import User
from accounts.services import processing_restriction_set
from audit.models import AuditEntry
from audit.services import audit_record
from engagement.models import Event
from engagement.selectors import assignment_summaries, class_summaries
from invitations.models import Invitation
from learning.files import private_storage
from learning.models import Completion, Feedback
from notifications.models import Message
from privacy.selectors import erasure as erasure_selectors
from privacy.services import pupil_anonymise, user_erase, user_erase_start
from schools.models import Guardianship, Pupil
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    UserFactory,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed
from tests.privacy.erasure_world import COMMENT, PARENT_EMAIL, family_world

pytestmark = pytest.mark.django_db


def _events(parent, pupil, number):
    Event.objects.bulk_create(
        Event(actor=parent, pupil=pupil, school_id=pupil.school_id, kind="signed_in")
        for _ in range(number)
    )


def _entries(parent, pupil, number):
    for n in range(number):
        audit_record(
            actor=parent,
            action="completion.note",
            subject=pupil,
            changes={"pupil": pupil.pk, "note": f"Said {n}"},
        )


def test_a_child_another_parent_holds_keeps_identity_access_and_that_parents_data(
    private_folder,
):
    family = family_world()
    other = UserFactory(first_name="Rowena")
    GuardianshipFactory(parent=other, pupil=family.child)
    theirs = Feedback.objects.create(
        pupil=family.child, activity=family.activities[1], parent=other, comment="Rowena's note"
    )

    counts = user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert (counts["children_anonymised"], counts["children_kept"]) == (0, 1)
    child = Pupil.objects.get(pk=family.child.pk)
    assert child.anonymised_at is None and child.first_name == family.child.first_name
    assert child.upn == family.child.upn
    assert list(children_of(other)) == [child]
    assert Feedback.objects.get(pk=theirs.pk).comment == "Rowena's note"
    # The erased parent's own link, comments and photos go.
    assert not Guardianship.objects.filter(parent=family.parent).exists()
    mine = Feedback.objects.filter(pupil=child).exclude(pk=theirs.pk)
    assert list(mine.values_list("comment", "photo", "parent")) == [("", "", None)] * 2
    entry = AuditEntry.objects.get(action="user.erase")
    assert entry.changes["children_kept"] == [child.pk]


def test_a_parent_who_closed_their_account_does_not_keep_the_child():
    family = family_world()
    other = UserFactory(closed_at=timezone.now(), is_active=False)
    GuardianshipFactory(parent=other, pupil=family.child)

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is not None
    assert not Guardianship.objects.filter(pupil=family.child).exists()


def test_only_current_links_make_a_child_the_parents_to_anonymise():
    family = family_world()
    ended = PupilFactory(school=family.school, first_name="Ended")
    GuardianshipFactory(parent=family.parent, pupil=ended, ended_at=timezone.now())

    counts = user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert counts["children_anonymised"] == 1
    ended.refresh_from_db()
    assert ended.anonymised_at is None and ended.first_name == "Ended"
    assert not ended.guardianships.exists()


def test_a_restricted_parent_can_still_be_erased():
    family = family_world()
    processing_restriction_set(user=family.parent, restricted=True, actor=family.parent)

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    parent = User.objects.get(pk=family.parent.pk)
    assert (parent.email, parent.first_name, parent.is_active) == (None, "", False)
    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is not None


def test_erasing_twice_changes_nothing_the_second_time():
    family = family_world()
    first = user_erase(user=family.parent, actor=family.parent, reason="own_request")
    entries = list(AuditEntry.objects.order_by("pk").values("pk", "changes", "redacted_at"))

    again = user_erase(user=family.parent, actor=family.parent, reason="own_request")
    anonymised_again = pupil_anonymise(pupil=family.child, actor=None, reason="retention")

    assert sum(first.values()) > 0
    assert set(again.values()) == {0} and set(anonymised_again.values()) == {0}
    assert list(AuditEntry.objects.order_by("pk").values("pk", "changes", "redacted_at")) == (
        entries
    )
    assert AuditEntry.objects.get(action="user.erase").changes["reason"] == "own_request"


def test_the_number_of_queries_does_not_grow_with_the_familys_events_and_entries():
    def queries_for(events):
        family = family_world()
        _events(family.parent, family.child, events)
        _entries(family.parent, family.child, events // 10)
        with CaptureQueriesContext(connection) as captured:
            user_erase(user=family.parent, actor=family.parent, reason="own_request")
        assert not Event.objects.filter(actor=family.parent).exists()
        return len(captured)

    assert queries_for(10) == queries_for(200)


def test_photo_files_go_from_storage_once_the_erasure_commits(
    private_folder, django_capture_on_commit_callbacks
):
    family = family_world()
    storage = private_storage()
    assert all(storage.exists(name) for name in family.photos)

    with pytest.raises(RuntimeError), transaction.atomic():
        user_erase(user=family.parent, actor=family.parent, reason="own_request")
        raise RuntimeError("rolled back")
    assert all(storage.exists(name) for name in family.photos)
    assert Feedback.objects.filter(comment=COMMENT).exists()

    with django_capture_on_commit_callbacks(execute=True):
        user_erase(user=family.parent, actor=family.parent, reason="own_request")
    assert not any(storage.exists(name) for name in family.photos)


def test_audit_entries_about_the_family_are_kept_but_redacted_at_every_depth():
    family = family_world()
    staff_entry = audit_record(
        actor=family.admin,
        action="pupil.note",
        subject=family.child,
        changes={"deep": [{"deeper": {"name": family.child.first_name, "count": 3}}]},
    )
    unrelated = audit_record(actor=family.admin, action="school.note", changes={"note": "Kept"})
    before = set(AuditEntry.objects.values_list("pk", flat=True))

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert before <= set(AuditEntry.objects.values_list("pk", flat=True))
    staff_entry.refresh_from_db()
    assert staff_entry.changes == {"deep": [{"deeper": {"name": "[redacted]", "count": 3}}]}
    assert staff_entry.redacted_at is not None and staff_entry.actor == family.admin
    about_parent = AuditEntry.objects.get(action="user.note")
    assert about_parent.changes == {
        "mobile": "[redacted]",
        "upns": [["[redacted]"]],
        "[redacted] 3": 1,
    }
    naming_parent = AuditEntry.objects.get(action="guardianship.note")
    assert naming_parent.changes["contact"] == {"mobile": "[redacted]"}
    unrelated.refresh_from_db()
    assert (unrelated.changes, unrelated.redacted_at) == ({"note": "Kept"}, None)


def test_one_entry_records_each_erasure_with_ids_and_counts_only():
    family = family_world()
    counts = user_erase(user=family.parent, actor=family.parent, reason="own_request")

    erased = AuditEntry.objects.get(action="user.erase")
    assert (erased.actor_id, erased.subject_id) == (family.parent.pk, str(family.parent.pk))
    assert erased.changes["children_anonymised"] == [family.child.pk]
    assert erased.changes["rows"] == counts and erased.redacted_at is None
    anonymised = AuditEntry.objects.get(action="pupil.anonymise")
    assert (anonymised.school, anonymised.subject_id) == (family.school, str(family.child.pk))
    assert anonymised.changes["reason"] == "parent_erased"
    assert PARENT_EMAIL not in str(erased.changes) + str(anonymised.changes)


def test_invitations_and_the_messages_they_sent_go_whatever_address_they_went_to():
    family = family_world()
    invitation = Invitation.objects.get(accepted_by=family.parent)
    Message.objects.filter(reference=f"invitation:{invitation.pk}").update(
        to_address="old.address@example.org"
    )

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert not Invitation.objects.exists()
    assert not Message.objects.filter(to_address="old.address@example.org").exists()


def test_a_carer_the_roster_named_who_never_joined_is_erased_with_the_child():
    family = family_world()
    carer = imported_parent(first_name="Ignatia", email="ignatia@example.org")
    link_unconfirmed(carer, family.child)
    sibling_carer = imported_parent(first_name="Hortensia", email="hortensia@example.org")
    link_unconfirmed(sibling_carer, family.child)
    link_unconfirmed(sibling_carer, PupilFactory(school=family.school))

    counts = user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert counts["contacts_erased"] == 1
    carer.refresh_from_db()
    assert (carer.email, carer.first_name, carer.closed_at is not None) == (None, "", True)
    # A carer of another child too keeps their account (without this child).
    sibling_carer.refresh_from_db()
    assert sibling_carer.email == "hortensia@example.org"
    assert list(sibling_carer.guardianships.values_list("pupil", flat=True)) != [family.child.pk]


def test_a_pupil_anonymised_alone_loses_identity_links_comments_and_photos(private_folder):
    family = family_world()
    feedback = Feedback.objects.get(pupil=family.child, rating=5)

    counts = pupil_anonymise(pupil=family.child, actor=family.admin, reason="staff_on_request")

    child = Pupil.objects.get(pk=family.child.pk)
    identity = (child.first_name, child.last_name, child.upn, child.pupil_premium)
    assert identity == ("", "", "", False)
    assert child.full_name == "Anonymised pupil"
    assert not child.guardianships.exists() and not child.awards.exists()
    feedback.refresh_from_db()
    assert (feedback.comment, feedback.photo.name, feedback.rating) == ("", "", 5)
    assert Completion.objects.filter(pupil=child).count() == 2
    assert counts["pupil_identity"] == 1
    # The parent keeps their account, without the child.
    assert User.objects.get(pk=family.parent.pk).email == PARENT_EMAIL
    assert not children_of(family.parent).exists()


def test_the_teachers_class_view_still_counts_the_anonymised_childs_completions():
    family = family_world()
    before = class_summaries(classes=[family.school_class])[0]
    work_before = assignment_summaries(school_class=family.school_class)[0].completions

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    after = class_summaries(classes=[family.school_class])[0]
    assert before.completions_30_days == after.completions_30_days == 2
    assert (before.pupils, after.pupils) == (1, 0)
    assert assignment_summaries(school_class=family.school_class)[0].completions == work_before
    assert work_before == 2


def test_a_large_family_is_closed_at_once_and_erased_by_a_worker(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(erasure_selectors, "ERASE_AT_ONCE_MAX_EVENTS", 5)
    family = family_world()
    _events(family.parent, family.child, 6)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = user_erase_start(user=family.parent, actor=family.parent)
    parent = User.objects.get(pk=family.parent.pk)
    assert done is False and parent.closed_at is not None and not parent.is_active
    assert parent.email == PARENT_EMAIL  # not yet erased: the worker does it

    for callback in callbacks:
        callback()  # tasks run in-process in tests
    parent.refresh_from_db()
    assert parent.email is None
    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is not None


def test_a_small_family_is_erased_at_once():
    family = family_world()
    assert user_erase_start(user=family.parent, actor=family.parent) is True
    assert User.objects.get(pk=family.parent.pk).email is None


def test_an_erased_account_cannot_be_restored_or_sign_in(client):
    from accounts.services import ClosingError, account_restore

    family = family_world()
    user_erase(user=family.parent, actor=family.parent, reason="own_request")
    parent = User.objects.get(pk=family.parent.pk)
    parent.delete_after = timezone.now() + timedelta(days=30)
    with pytest.raises(ClosingError):
        account_restore(user=parent, actor=UserFactory(is_staff=True))
    assert not client.login(username=PARENT_EMAIL, password="correct-horse-battery")


def test_events_stay_for_the_school_without_the_parent():
    family = family_world()
    _events(family.parent, family.child, 3)
    school_events = Event.objects.filter(school=family.school).count()

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    assert Event.objects.filter(school=family.school).count() == school_events
    assert not Event.objects.filter(actor=family.parent).exists()


def test_a_photo_linked_to_no_parent_goes_with_the_anonymised_child(private_folder):
    family = family_world()
    other_activity = ActivityFactory()
    AssignmentFactory(school_class=family.school_class, topic=other_activity.topic)
    photo = Feedback(pupil=family.child, activity=other_activity, parent=None, rating=3)
    photo.photo.save("other.jpg", ContentFile(b"x"), save=False)
    photo.save()
    user_erase(user=family.parent, actor=family.parent, reason="own_request")
    assert Feedback.objects.get(pk=photo.pk).photo.name == ""


def test_the_retention_tasks_erasure_leaves_a_child_on_roll_with_the_school():
    family = family_world()
    removed = PupilFactory(school=family.school, removed_by_school_at=timezone.now())
    GuardianshipFactory(parent=family.parent, pupil=removed)

    counts = user_erase(user=family.parent, actor=None, reason="hold_expired")

    assert (counts["children_anonymised"], counts["children_kept"]) == (1, 1)
    assert Pupil.objects.get(pk=removed.pk).anonymised_at is not None
    child = Pupil.objects.get(pk=family.child.pk)
    assert child.anonymised_at is None and child.upn == family.child.upn
    assert not child.guardianships.exists()  # the erased parent's link goes all the same
    assert User.objects.get(pk=family.parent.pk).email is None
