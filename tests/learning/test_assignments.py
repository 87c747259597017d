"""Setting a topic for classes: one assignment per class, all or nothing, only for
the teacher's own classes (an admin's school's), and changed or withdrawn only
before families are told."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learning.models import Assignment
from learning.services import (
    AssignmentStartedError,
    assignment_delete,
    assignment_has_started,
    assignment_update,
    assignments_create,
    school_today,
)
from notifications.models import Message
from tests.factories import (
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def robins(school):
    return SchoolClassFactory(school=school, name="Robins")


@pytest.fixture
def wrens(school):
    return SchoolClassFactory(school=school, name="Wrens")


@pytest.fixture
def teacher(robins, wrens):
    teacher = teacher_of(robins)
    wrens.teachers.add(teacher)
    return teacher


def _set(topic, classes, actor, *, start=1, days=7, message=""):
    starts_on = school_today() + timedelta(days=start)
    return assignments_create(
        topic=topic,
        school_classes=classes,
        starts_on=starts_on,
        due_on=starts_on + timedelta(days=days),
        message=message,
        actor=actor,
    )


def test_a_teacher_sets_a_library_topic_for_two_of_their_classes(teacher, robins, wrens):
    topic = TopicFactory()

    assignments = _set(topic, [robins, wrens], teacher, message="  Have fun!  ")

    assert {a.school_class for a in assignments} == {robins, wrens}
    rows = Assignment.objects.filter(topic=topic)
    assert rows.count() == 2
    assert set(rows.values_list("set_by", flat=True)) == {teacher.pk}
    assert set(rows.values_list("message", flat=True)) == {"Have fun!"}


def test_a_teacher_sets_their_own_schools_topic(teacher, robins, school):
    topic = TopicFactory(school=school)

    _set(topic, [robins], teacher)

    assert Assignment.objects.filter(topic=topic, school_class=robins).exists()


def test_an_admin_sets_work_for_any_class_of_their_school(school, robins, wrens):
    admin = admin_of(school)

    _set(TopicFactory(), [robins, wrens], admin)

    assert Assignment.objects.count() == 2


def test_a_class_the_teacher_does_not_teach_is_refused_and_nothing_is_written(
    teacher, robins, school
):
    owls = SchoolClassFactory(school=school, name="Owls")

    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [robins, owls], teacher)

    assert error.value.message_dict["school_classes"] == ["You cannot set work for Owls."]
    assert not Assignment.objects.exists()


def test_another_schools_class_is_refused_even_for_an_admin(school, robins):
    admin = admin_of(school)
    elsewhere = SchoolClassFactory(name="Elsewhere")

    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [robins, elsewhere], admin)

    assert "You cannot set work for Elsewhere." in error.value.message_dict["school_classes"]
    assert not Assignment.objects.exists()


def test_another_schools_topic_cannot_be_set_for_my_class(teacher, robins):
    foreign = TopicFactory(school=SchoolFactory())

    with pytest.raises(ValidationError) as error:
        _set(foreign, [robins], teacher)

    assert error.value.message_dict["school_classes"] == [
        "This topic belongs to another school than Robins."
    ]
    assert not Assignment.objects.exists()


def test_a_draft_topic_cannot_be_set(teacher, robins, school):
    draft = TopicFactory(school=school, published=False)

    with pytest.raises(ValidationError) as error:
        _set(draft, [robins], teacher)

    assert "draft" in error.value.messages[0]
    assert not Assignment.objects.exists()


def test_no_class_chosen_is_an_error(teacher):
    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [], teacher)

    assert error.value.message_dict["school_classes"] == ["Choose at least one class."]


def test_the_due_date_may_not_come_before_the_start(teacher, robins):
    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [robins], teacher, days=-1)

    assert error.value.message_dict["due_on"] == [
        "The due date must be on or after the start date."
    ]
    assert not Assignment.objects.exists()


def test_work_may_be_due_the_day_it_starts(teacher, robins):
    assert len(_set(TopicFactory(), [robins], teacher, days=0)) == 1


def test_the_start_date_may_not_be_in_the_past(teacher, robins):
    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [robins], teacher, start=-1)

    assert error.value.message_dict["starts_on"] == ["The start date cannot be in the past."]


def test_a_message_over_1000_characters_is_refused(teacher, robins):
    with pytest.raises(ValidationError) as error:
        _set(TopicFactory(), [robins], teacher, message="x" * 1001)

    assert "message" in error.value.message_dict
    assert not Assignment.objects.exists()


def test_setting_the_same_topic_again_from_the_same_day_names_the_class_and_writes_nothing(
    teacher, robins, wrens
):
    topic = TopicFactory()
    _set(topic, [robins], teacher)

    with pytest.raises(ValidationError) as error:
        _set(topic, [wrens, robins], teacher)

    [message] = error.value.message_dict["school_classes"]
    assert message.startswith("Robins already has this topic from ")
    assert not Assignment.objects.filter(school_class=wrens).exists()


def test_work_starting_today_is_announced_once_the_change_commits(
    teacher, robins, django_capture_on_commit_callbacks
):
    GuardianshipFactory(pupil=PupilFactory(school=robins.school, school_class=robins))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [assignment] = _set(TopicFactory(), [robins], teacher, start=0)
    assert not Message.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    assignment.refresh_from_db()
    assert assignment.start_notified_at is not None
    assert Message.objects.filter(reference=f"assignment:{assignment.pk}").count() == 1


def test_work_starting_later_waits_for_its_day(teacher, robins, django_capture_on_commit_callbacks):
    GuardianshipFactory(pupil=PupilFactory(school=robins.school, school_class=robins))

    with django_capture_on_commit_callbacks(execute=True):
        [assignment] = _set(TopicFactory(), [robins], teacher, start=1)

    assignment.refresh_from_db()
    assert assignment.start_notified_at is None
    assert not Message.objects.exists()


# --- Changing and withdrawing ----------------------------------------------------


def test_work_not_yet_started_can_be_moved_and_reworded(teacher, robins):
    [assignment] = _set(TopicFactory(), [robins], teacher, start=3)
    new_start = school_today() + timedelta(days=5)

    assignment_update(
        assignment=assignment,
        actor=teacher,
        starts_on=new_start,
        due_on=new_start + timedelta(days=2),
        message="Bring a leaf",
    )

    assignment.refresh_from_db()
    assert (assignment.starts_on, assignment.due_on, assignment.message) == (
        new_start,
        new_start + timedelta(days=2),
        "Bring a leaf",
    )


def test_moving_work_to_today_announces_it_on_commit(
    teacher, robins, django_capture_on_commit_callbacks
):
    GuardianshipFactory(pupil=PupilFactory(school=robins.school, school_class=robins))
    [assignment] = _set(TopicFactory(), [robins], teacher, start=3)

    with django_capture_on_commit_callbacks(execute=True):
        assignment_update(
            assignment=assignment,
            actor=teacher,
            starts_on=school_today(),
            due_on=school_today() + timedelta(days=5),
            message="",
        )

    assert Message.objects.filter(reference=f"assignment:{assignment.pk}").count() == 1


def test_changing_dates_checks_them_like_setting(teacher, robins):
    [assignment] = _set(TopicFactory(), [robins], teacher, start=3)

    with pytest.raises(ValidationError) as error:
        assignment_update(
            assignment=assignment,
            actor=teacher,
            starts_on=school_today() + timedelta(days=4),
            due_on=school_today() + timedelta(days=3),
            message="",
        )

    assert "due_on" in error.value.message_dict
    assignment.refresh_from_db()
    assert assignment.starts_on == school_today() + timedelta(days=3)


def test_moving_onto_the_day_the_same_topic_already_starts_is_refused(teacher, robins):
    topic = TopicFactory()
    [first] = _set(topic, [robins], teacher, start=3)
    [second] = _set(topic, [robins], teacher, start=10)

    with pytest.raises(ValidationError) as error:
        assignment_update(
            assignment=second,
            actor=teacher,
            starts_on=first.starts_on,
            due_on=first.due_on,
            message="",
        )

    assert error.value.message_dict["starts_on"][0].startswith("Robins already has this topic")


def test_started_work_can_be_neither_changed_nor_withdrawn(teacher, robins):
    assignment = AssignmentFactory(school_class=robins, starts_on=school_today())
    assert assignment_has_started(assignment)

    with pytest.raises(AssignmentStartedError):
        assignment_update(
            assignment=assignment,
            actor=teacher,
            starts_on=school_today() + timedelta(days=1),
            due_on=school_today() + timedelta(days=8),
            message="",
        )
    with pytest.raises(AssignmentStartedError):
        assignment_delete(assignment=assignment, actor=teacher)

    assert Assignment.objects.filter(pk=assignment.pk, starts_on=school_today()).exists()


def test_work_already_announced_counts_as_started_whatever_its_date(teacher, robins):
    assignment = AssignmentFactory(
        school_class=robins,
        starts_on=school_today() + timedelta(days=2),
        start_notified_at=timezone.now(),
    )

    with pytest.raises(AssignmentStartedError):
        assignment_delete(assignment=assignment, actor=teacher)


def test_work_not_yet_started_can_be_withdrawn(teacher, robins):
    [assignment] = _set(TopicFactory(), [robins], teacher, start=2)

    assignment_delete(assignment=assignment, actor=teacher)

    assert not Assignment.objects.exists()


def test_school_today_is_the_date_in_england(settings):
    # 23:30 UTC on 30 June is already 1 July in England (summer time).
    from datetime import UTC, date, datetime
    from unittest import mock

    settings.TIME_ZONE = "UTC"
    moment = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert school_today() == date(2025, 7, 1)
