"""The services behind "We did this", ratings, comments, photos, their removal and
moderation, and the record that a parent opened a topic."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from engagement.models import Event
from learning.models import Award, Completion, Feedback
from learning.services import FeedbackError
from learning.services import feedback as services
from notifications.models import Message
from tests.concurrency import at_once, needs_postgresql
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.learning.space_world import family_world, prepared_photo, stored_files

pytestmark = pytest.mark.django_db


def save_feedback(family, **fields):
    """The family's parent saves feedback on the topic's first activity."""
    return services.feedback_save(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent, **fields
    )


@pytest.fixture
def moderated():
    return family_world(moderate=True)


def _events(kind):
    return list(Event.objects.filter(kind=kind).values_list("actor_id", "pupil_id", "subject"))


# --- Completions ---------------------------------------------------------------------


def test_we_did_this_is_recorded_once_per_pupil_and_activity_whoever_says_it(family):
    activity = family.activities[0]

    first = services.completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    again = services.completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    by_other = services.completion_record(
        pupil=family.pupil, activity=activity, actor=family.other_parent
    )

    assert first.pk == again.pk == by_other.pk
    assert Completion.objects.get().completed_by == family.parent
    assert _events(Event.Kind.ACTIVITY_COMPLETED) == [
        (family.parent.pk, family.pupil.pk, f"activity:{activity.pk}")
    ]


@pytest.mark.parametrize(
    "who",
    ["stranger", "unconfirmed", "ended", "teacher", "admin"],
)
def test_only_a_parent_with_a_confirmed_current_guardianship_records_work(family, who):
    if who == "stranger":
        actor = UserFactory()
        GuardianshipFactory(parent=actor)  # a parent, of someone else's child
    elif who in ("unconfirmed", "ended"):
        actor = UserFactory()
        guardianship = GuardianshipFactory(parent=actor, pupil=family.pupil)
        if who == "unconfirmed":
            guardianship.confirmed_at = None
        else:
            guardianship.ended_at = timezone.now()
        guardianship.save()
    else:
        actor = getattr(family, who)

    with pytest.raises(PermissionDenied):
        services.completion_record(pupil=family.pupil, activity=family.activities[0], actor=actor)
    with pytest.raises(PermissionDenied):
        services.feedback_save(
            pupil=family.pupil, activity=family.activities[0], actor=actor, rating=5, comment=""
        )
    assert not Completion.objects.exists()
    assert not Feedback.objects.exists()


def test_nothing_is_recorded_for_a_child_the_school_has_removed(family):
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    with pytest.raises(PermissionDenied):
        services.completion_record(
            pupil=family.pupil, activity=family.activities[0], actor=family.parent
        )
    assert not Completion.objects.exists()


def test_only_activities_of_a_topic_set_for_the_childs_class_and_started_can_be_done(family):
    not_set = ActivityFactory(topic=TopicFactory())
    other_class = ActivityFactory(topic=TopicFactory())
    AssignmentFactory(
        topic=other_class.topic, school_class=SchoolClassFactory(school=family.school)
    )
    not_started = ActivityFactory(topic=TopicFactory())
    AssignmentFactory(
        topic=not_started.topic,
        school_class=family.school_class,
        starts_on=timezone.localdate() + timedelta(days=1),
    )

    for activity in (not_set, other_class, not_started):
        with pytest.raises(PermissionDenied):
            services.completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    assert not Completion.objects.exists()


def test_a_past_topic_can_still_be_done(family):
    family.assignment.starts_on = timezone.localdate() - timedelta(days=30)
    family.assignment.due_on = timezone.localdate() - timedelta(days=10)
    family.assignment.save()

    services.completion_record(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent
    )

    assert Completion.objects.filter(pupil=family.pupil).count() == 1


def test_a_completion_and_its_event_are_written_together_or_not_at_all(family, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr(services, "event_record", broken)

    with pytest.raises(RuntimeError):
        services.completion_record(
            pupil=family.pupil, activity=family.activities[0], actor=family.parent
        )

    assert not Completion.objects.exists()


# --- Feedback ------------------------------------------------------------------------


def test_saving_again_updates_the_parents_one_live_feedback(family):
    activity = family.activities[0]

    first = services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=3, comment="Fun"
    )
    second = services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=5, comment="Loved it"
    )

    assert first.pk == second.pk
    row = Feedback.objects.get()
    assert (row.rating, row.comment, row.parent) == (5, "Loved it", family.parent)
    assert len(_events(Event.Kind.RATED)) == len(_events(Event.Kind.COMMENTED)) == 2


def test_each_parent_of_a_child_has_their_own_feedback(family):
    activity = family.activities[0]

    services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=4, comment="A"
    )
    services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.other_parent, rating=2, comment="B"
    )

    assert sorted(Feedback.objects.values_list("parent__first_name", "rating")) == [
        ("Pat", 4),
        ("Sam", 2),
    ]


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_is_from_one_to_five(family, rating):
    with pytest.raises(FeedbackError):
        save_feedback(family, rating=rating, comment="")
    assert not Feedback.objects.exists()


def test_empty_feedback_is_refused(family):
    with pytest.raises(FeedbackError, match="rating, write a comment or add a photo"):
        save_feedback(family, rating=None, comment="   ")
    assert not Feedback.objects.exists()


def test_without_moderation_a_comment_is_shared_with_the_school_at_once(family):
    saved = save_feedback(family, rating=4, comment="Great")

    assert saved.moderation_status == Feedback.Moderation.APPROVED
    assert saved.moderated_by is None


def test_with_moderation_a_comment_or_photo_waits_but_a_rating_alone_does_not(moderated):
    rating_only = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[0],
        actor=moderated.parent,
        rating=4,
        comment="",
    )
    commented = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[1],
        actor=moderated.parent,
        rating=None,
        comment="We found a beetle",
    )
    photographed = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[1],
        actor=moderated.other_parent,
        rating=None,
        comment="",
        photo=prepared_photo(),
    )

    assert rating_only.moderation_status == Feedback.Moderation.APPROVED
    assert commented.moderation_status == Feedback.Moderation.PENDING
    assert photographed.moderation_status == Feedback.Moderation.PENDING


def test_a_changed_comment_needs_approval_again_but_a_changed_rating_does_not(moderated):
    activity = moderated.activities[0]
    saved = services.feedback_save(
        pupil=moderated.pupil, activity=activity, actor=moderated.parent, rating=3, comment="Hi"
    )
    services.feedback_moderate(feedback=saved, decision="approve", actor=moderated.teacher)

    services.feedback_save(
        pupil=moderated.pupil, activity=activity, actor=moderated.parent, rating=5, comment="Hi"
    )
    assert Feedback.objects.get().moderation_status == Feedback.Moderation.APPROVED

    services.feedback_save(
        pupil=moderated.pupil, activity=activity, actor=moderated.parent, rating=5, comment="Hey"
    )
    row = Feedback.objects.get()
    assert row.moderation_status == Feedback.Moderation.PENDING
    assert row.moderated_by is None


def test_a_new_photo_replaces_the_old_one_which_is_deleted_from_storage(
    family, private_folder, django_capture_on_commit_callbacks
):
    activity = family.activities[0]
    with django_capture_on_commit_callbacks(execute=True):
        first = services.feedback_save(
            pupil=family.pupil,
            activity=activity,
            actor=family.parent,
            rating=None,
            comment="",
            photo=prepared_photo(),
        )
    old_name = first.photo.name
    assert old_name.startswith("photos/") and old_name.endswith(".jpg")
    assert "IMG_0001" not in old_name  # the server names files, not the uploader

    with django_capture_on_commit_callbacks(execute=True):
        second = services.feedback_save(
            pupil=family.pupil,
            activity=activity,
            actor=family.parent,
            rating=None,
            comment="",
            photo=prepared_photo(),
        )

    assert second.photo.name != old_name
    assert [
        path.relative_to(private_folder).as_posix() for path in stored_files(private_folder)
    ] == [second.photo.name]


def test_a_photo_is_not_left_in_storage_when_its_feedback_cannot_be_saved(
    family, private_folder, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr(services, "event_record", broken)

    with pytest.raises(RuntimeError):
        save_feedback(family, rating=None, comment="", photo=prepared_photo())

    assert not Feedback.objects.exists()
    assert stored_files(private_folder) == []


def test_a_photo_whose_row_fails_to_save_is_deleted_at_once(family, private_folder, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(Feedback, "save", broken_save)

    with pytest.raises(RuntimeError):
        save_feedback(family, rating=None, comment="", photo=prepared_photo())

    assert stored_files(private_folder) == []


# --- Removal by the parent ----------------------------------------------------------


def test_the_parent_removes_their_feedback_and_its_photo_leaves_storage(
    family, private_folder, django_capture_on_commit_callbacks
):
    saved = save_feedback(family, rating=4, comment="Our garden", photo=prepared_photo())
    assert len(stored_files(private_folder)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_remove(feedback=saved, actor=family.parent)

    row = Feedback.objects.get()
    assert row.removed_at is not None
    assert (row.rating, row.comment, row.photo.name) == (None, "", "")
    assert stored_files(private_folder) == []


def test_after_removing_a_parent_can_give_new_feedback(family):
    activity = family.activities[0]
    saved = services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=2, comment=""
    )
    services.feedback_remove(feedback=saved, actor=family.parent)

    services.feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=5, comment=""
    )

    assert Feedback.objects.filter(removed_at__isnull=True).get().rating == 5
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize("who", ["other_parent", "teacher", "admin"])
def test_nobody_but_the_parent_who_gave_it_removes_feedback(family, who):
    saved = save_feedback(family, rating=2, comment="x")

    with pytest.raises(PermissionDenied):
        services.feedback_remove(feedback=saved, actor=getattr(family, who))

    assert Feedback.objects.get().removed_at is None


def test_a_parent_can_remove_feedback_after_the_school_removed_the_child(family):
    saved = save_feedback(family, rating=2, comment="x")
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    services.feedback_remove(feedback=saved, actor=family.parent)

    assert Feedback.objects.get().removed_at is not None


# --- Moderation by staff ------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "admin"])
def test_the_childs_teacher_or_a_school_admin_approves(moderated, who):
    saved = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[0],
        actor=moderated.parent,
        rating=None,
        comment="Look!",
    )
    moderator = getattr(moderated, who)

    services.feedback_moderate(feedback=saved, decision="approve", actor=moderator)

    row = Feedback.objects.get()
    assert row.moderation_status == Feedback.Moderation.APPROVED
    assert row.moderated_by == moderator
    assert row.moderated_at is not None


def test_rejecting_deletes_the_photo_and_hides_the_comment_from_staff(
    moderated, private_folder, django_capture_on_commit_callbacks
):
    saved = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[0],
        actor=moderated.parent,
        rating=4,
        comment="Look!",
        photo=prepared_photo(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_moderate(feedback=saved, decision="reject", actor=moderated.teacher)

    row = Feedback.objects.get()
    assert row.moderation_status == Feedback.Moderation.REJECTED
    assert row.photo.name == ""
    assert row.comment == "Look!"  # the parent's own record keeps their words
    assert stored_files(private_folder) == []


def test_staff_can_take_down_feedback_even_where_the_school_does_not_moderate(family):
    saved = save_feedback(family, rating=1, comment="!")

    services.feedback_moderate(feedback=saved, decision="reject", actor=family.teacher)

    assert Feedback.objects.get().moderation_status == Feedback.Moderation.REJECTED


def test_moderators_are_only_the_childs_teachers_and_school_admins(moderated):
    saved = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[0],
        actor=moderated.parent,
        rating=None,
        comment="Look!",
    )
    other_class_teacher = teacher_of(SchoolClassFactory(school=moderated.school))
    other_school_admin = admin_of(SchoolFactory())

    for actor in (
        moderated.parent,
        moderated.other_parent,
        other_class_teacher,
        other_school_admin,
    ):
        with pytest.raises(PermissionDenied):
            services.feedback_moderate(feedback=saved, decision="approve", actor=actor)

    assert Feedback.objects.get().moderation_status == Feedback.Moderation.PENDING


def test_feedback_the_parent_removed_cannot_be_moderated(moderated):
    saved = services.feedback_save(
        pupil=moderated.pupil,
        activity=moderated.activities[0],
        actor=moderated.parent,
        rating=None,
        comment="Look!",
    )
    services.feedback_remove(feedback=saved, actor=moderated.parent)

    with pytest.raises(FeedbackError):
        services.feedback_moderate(feedback=saved, decision="approve", actor=moderated.teacher)


# --- "Opened" --------------------------------------------------------------------------


def test_opening_a_topic_is_recorded_once_per_parent_child_and_day(family):
    def opened():
        return services.assignment_open_record(
            assignment=family.assignment, pupil=family.pupil, actor=family.parent
        )

    assert opened() is True
    assert opened() is False
    assert _events(Event.Kind.ASSIGNMENT_OPENED) == [
        (family.parent.pk, family.pupil.pk, f"assignment:{family.assignment.pk}")
    ]

    Event.objects.update(at=timezone.now() - timedelta(days=1))
    assert opened() is True
    assert services.assignment_open_record(
        assignment=family.assignment, pupil=family.pupil, actor=family.other_parent
    )
    assert Event.objects.filter(kind=Event.Kind.ASSIGNMENT_OPENED).count() == 3


def test_opening_is_not_recorded_for_a_restricted_account_or_a_removed_child(family):
    family.parent.processing_restricted = True
    family.parent.save()
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    for actor in (family.parent, family.other_parent):
        services.assignment_open_record(
            assignment=family.assignment, pupil=family.pupil, actor=actor
        )

    assert not Event.objects.exists()


def test_opening_by_someone_not_the_childs_parent_is_refused(family):
    with pytest.raises(PermissionDenied):
        services.assignment_open_record(
            assignment=family.assignment, pupil=family.pupil, actor=UserFactory()
        )
    assert not Event.objects.exists()


# --- At the same moment (PostgreSQL) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_taps_of_save_at_once_leave_one_live_feedback():
    needs_postgresql()
    family = family_world()
    activity = family.activities[0]

    def save(rating):
        return lambda: services.feedback_save(
            pupil=family.pupil, activity=activity, actor=family.parent, rating=rating, comment=""
        )

    assert at_once(save(2), save(4), save(5)).errors == []
    assert Feedback.objects.filter(removed_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_both_parents_saying_we_did_this_at_once_record_one_completion():
    needs_postgresql()
    family = family_world()
    activity = family.activities[0]

    def done(parent):
        return lambda: services.completion_record(
            pupil=family.pupil, activity=activity, actor=parent
        )

    assert at_once(done(family.parent), done(family.other_parent)).errors == []
    assert Completion.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.ACTIVITY_COMPLETED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_opening_a_topic_in_two_tabs_at_once_records_it_once():
    needs_postgresql()
    family = family_world()

    def open_topic():
        services.assignment_open_record(
            assignment=family.assignment, pupil=family.pupil, actor=family.parent
        )

    assert at_once(open_topic, open_topic, open_topic).errors == []
    assert Event.objects.filter(kind=Event.Kind.ASSIGNMENT_OPENED).count() == 1


def test_we_did_this_earns_the_first_award_once_it_commits(django_capture_on_commit_callbacks):
    family = family_world(activities=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.completion_record(
            pupil=family.pupil, activity=family.activities[0], actor=family.parent
        )

    award = Award.objects.get(pupil=family.pupil)
    assert award.kind == Award.Kind.FIRST_ACTIVITY
    assert Message.objects.filter(reference=f"award:{award.pk}").exists()


def test_a_completion_rolled_back_earns_no_award(django_capture_on_commit_callbacks):
    family = family_world(activities=2)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.completion_record(
            pupil=family.pupil, activity=family.activities[0], actor=family.parent
        )

    assert len(callbacks) == 1  # queued for after commit, not run inside the transaction
    assert not Award.objects.exists()
