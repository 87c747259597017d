"""The one rule of the engagement record (``event_record``): an event is a parent's
engagement with their own child; staff, restricted and closed accounts are never
tracked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.models import Event
from engagement.services import REPEAT_WITHIN, event_record
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil():
    return PupilFactory(school_class=SchoolClassFactory())


@pytest.fixture
def parent(pupil):
    parent = UserFactory()
    GuardianshipFactory(parent=parent, pupil=pupil)
    return parent


def _record(actor, pupil, **fields):
    return event_record(
        actor=actor,
        kind=fields.pop("kind", Event.Kind.ASSIGNMENT_OPENED),
        school=pupil.school,
        pupil=pupil,
        subject=fields.pop("subject", "assignment:7"),
        **fields,
    )


def test_a_parents_event_is_recorded_with_its_school_pupil_and_subject(parent, pupil):
    event = _record(parent, pupil)

    stored = Event.objects.get()
    assert stored == event
    assert (stored.actor, stored.school, stored.pupil, stored.kind, stored.subject) == (
        parent,
        pupil.school,
        pupil,
        Event.Kind.ASSIGNMENT_OPENED,
        "assignment:7",
    )


def test_a_parent_at_a_school_is_tracked_without_a_pupil(parent, pupil):
    assert event_record(actor=parent, kind=Event.Kind.SIGNED_IN, school=pupil.school)
    assert event_record(actor=parent, kind=Event.Kind.SIGNED_IN, school=SchoolFactory()) is None
    assert Event.objects.count() == 1


def test_a_restricted_account_is_never_tracked(parent, pupil):
    parent.processing_restricted = True
    parent.save()

    assert _record(parent, pupil) is None
    assert not Event.objects.exists()


def test_a_closed_account_is_never_tracked(parent, pupil):
    parent.closed_at = timezone.now()
    parent.save()

    assert _record(parent, pupil) is None
    assert not Event.objects.exists()


def test_staff_of_the_child_are_never_tracked_as_engagement(pupil):
    teacher = teacher_of(pupil.school_class)
    admin = admin_of(pupil.school)
    platform_staff = UserFactory(is_staff=True)
    # Even a member of platform staff who is also the child's parent.
    GuardianshipFactory(parent=platform_staff, pupil=pupil)

    for actor in (teacher, admin, platform_staff, None):
        assert _record(actor, pupil) is None
    assert not Event.objects.exists()


def test_a_teacher_doing_their_own_childs_work_is_tracked_as_a_parent(pupil):
    teacher = teacher_of(SchoolClassFactory(school=pupil.school))
    GuardianshipFactory(parent=teacher, pupil=pupil)

    assert _record(teacher, pupil) is not None


@pytest.mark.parametrize(
    "link",
    [
        {"confirmed_at": None},  # invited, not yet joined
        {"ended_at": timezone.now()},  # the school ended the link
    ],
)
def test_a_parent_whose_link_is_not_current_is_not_tracked(pupil, link):
    parent = UserFactory()
    GuardianshipFactory(parent=parent, pupil=pupil, **link)

    assert _record(parent, pupil) is None
    assert _record(UserFactory(), pupil) is None  # nobody's parent
    assert not Event.objects.exists()


def test_nothing_is_tracked_for_a_child_the_school_removed(parent, pupil):
    pupil.removed_by_school_at = timezone.now()
    pupil.save()

    assert _record(parent, pupil) is None
    assert not Event.objects.exists()


def test_once_per_records_a_repeat_once_within_the_span(parent, pupil):
    def started(subject="activity:1"):
        return _record(
            parent, pupil, kind=Event.Kind.VIDEO_STARTED, subject=subject, once_per=REPEAT_WITHIN
        )

    assert started() is not None
    assert started() is None
    assert started(subject="activity:2") is not None
    # Without once_per every event is kept (a rating changed twice is two ratings).
    assert _record(parent, pupil, kind=Event.Kind.RATED) is not None
    assert _record(parent, pupil, kind=Event.Kind.RATED) is not None
    assert Event.objects.filter(kind=Event.Kind.VIDEO_STARTED).count() == 2


def test_a_restricted_account_does_not_use_up_the_span(parent, pupil):
    parent.processing_restricted = True
    _record(parent, pupil, once_per=timedelta(minutes=1))
    parent.processing_restricted = False

    assert _record(parent, pupil, once_per=timedelta(minutes=1)) is not None


def test_unknown_kind_is_refused(parent, pupil):
    with pytest.raises(ValueError):
        event_record(actor=parent, kind="clicked", school=pupil.school)
    assert not Event.objects.exists()


def test_a_pupil_of_another_school_is_refused(parent, pupil):
    with pytest.raises(ValueError):
        event_record(actor=parent, kind=Event.Kind.SIGNED_IN, school=SchoolFactory(), pupil=pupil)
    assert not Event.objects.exists()
