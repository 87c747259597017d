import pytest

from engagement.models import Event
from engagement.services import event_record
from tests.factories import PupilFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_event_is_recorded_with_its_subject():
    pupil = PupilFactory()
    parent = UserFactory()

    event = event_record(
        actor=parent,
        kind=Event.Kind.ASSIGNMENT_OPENED,
        school=pupil.school,
        pupil=pupil,
        subject="assignment:7",
    )

    stored = Event.objects.get()
    assert stored == event
    assert (stored.actor, stored.pupil, stored.subject) == (parent, pupil, "assignment:7")


def test_restricted_account_is_not_tracked():
    pupil = PupilFactory()
    parent = UserFactory(processing_restricted=True)

    event_record(actor=parent, kind=Event.Kind.SIGNED_IN, school=pupil.school, pupil=pupil)

    assert not Event.objects.exists()


def test_unknown_kind_is_refused():
    pupil = PupilFactory()

    with pytest.raises(ValueError):
        event_record(actor=None, kind="clicked", school=pupil.school)
    assert not Event.objects.exists()
