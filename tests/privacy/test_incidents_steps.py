"""An incident's deadlines count from when the portal became aware of it (ICO
report 72 hours, schools told 24 hours, retrospective 7 days), and each step
after recording it is taken once, in order, and closes only when all are done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.deadlines import Deadline, duration_words
from privacy.models import Incident
from privacy.registry import category
from privacy.services import (
    IncidentError,
    incident_close,
    incident_close_blockers,
    incident_notify_schools,
    incident_report_record,
    incident_retrospective_record,
    incident_scope_set,
    incident_update,
)
from tests.factories import UserFactory
from tests.privacy.incident_world import build_world, recorded

pytestmark = pytest.mark.django_db

FOUND = timezone.now().replace(microsecond=0) - timedelta(days=30)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


# --- Deadlines -----------------------------------------------------------------------


def test_the_deadlines_count_from_when_it_was_found():
    incident = Incident(found_at=FOUND)
    assert incident.ico_due_at == FOUND + timedelta(hours=72)
    assert incident.schools_due_at == FOUND + timedelta(hours=24)
    assert incident.retrospective_due_at == FOUND + timedelta(days=7)
    assert [deadline.due_at for deadline in incident.deadlines()] == [
        FOUND + timedelta(hours=72),
        FOUND + timedelta(hours=24),
        FOUND + timedelta(days=7),
    ]


@pytest.mark.parametrize(
    ("hours_after_found", "status", "overdue"),
    [
        (0, "3 days left", False),
        (23, "2 days 1 hour left", False),
        (71.5, "30 minutes left", False),
        (72, "OVERDUE by under a minute", True),
        (75, "OVERDUE by 3 hours", True),
        (24 * 5, "OVERDUE by 2 days", True),
    ],
)
def test_the_ico_deadline_says_how_long_is_left_or_how_overdue_it_is(
    hours_after_found, status, overdue
):
    ico = Incident(found_at=FOUND).deadlines()[0]
    now = FOUND + timedelta(hours=hours_after_found)
    assert ico.status(now) == status
    assert ico.is_overdue(now) is overdue


def test_a_step_done_says_so_and_whether_it_was_late():
    due = FOUND + timedelta(hours=24)
    assert Deadline("Tell", due, due - timedelta(hours=2)).status(due) == "Done"
    late = Deadline("Tell", due, due + timedelta(hours=5))
    assert late.status(due + timedelta(days=9)) == "Done, 5 hours late"
    assert not late.is_overdue(due + timedelta(days=9))


def test_a_closed_incident_has_nothing_overdue():
    incident = Incident(found_at=FOUND, closed_at=FOUND + timedelta(days=8))
    now = FOUND + timedelta(days=9)
    assert [deadline.status(now) for deadline in incident.deadlines()] == ["Not needed"] * 3
    assert not any(deadline.is_overdue(now) for deadline in incident.deadlines())


def test_durations_read_as_words():
    assert duration_words(timedelta(days=1, hours=1, minutes=5)) == "1 day 1 hour"
    assert duration_words(timedelta(minutes=1)) == "1 minute"
    assert duration_words(timedelta(seconds=20)) == "under a minute"


# --- Recording -----------------------------------------------------------------------


def test_recording_keeps_when_it_was_found_and_who_recorded_it(staff):
    incident = recorded(actor=staff, found_at=FOUND, data_categories=["guardianships", "account"])
    assert incident.found_at == FOUND
    assert incident.recorded_by == staff
    # In the registry's order, whatever order they were chosen in.
    assert incident.data_categories == ["account", "guardianships"]
    assert str(incident) == f"Incident #{incident.pk}"


def test_an_incident_found_in_the_future_or_with_unknown_data_is_refused(staff):
    with pytest.raises(IncidentError, match="future"):
        recorded(actor=staff, found_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(IncidentError, match="Unknown categories of data: shoe_sizes"):
        recorded(actor=staff, data_categories=["shoe_sizes"])
    assert not Incident.objects.exists()


def test_updating_changes_the_texts_but_never_when_it_was_found(staff):
    incident = recorded(actor=staff)
    assert incident_update(
        incident=incident, actor=staff, title="New title", description=incident.description
    ) == ["title"]
    with pytest.raises(IncidentError, match="found_at"):
        incident_update(incident=incident, actor=staff, found_at=FOUND)


# --- The report to the ICO -----------------------------------------------------------


def test_the_report_to_the_ico_is_recorded_with_its_reference(staff):
    incident = recorded(actor=staff, found_at=FOUND)
    reported_at = FOUND + timedelta(hours=50)
    incident_report_record(
        incident=incident, actor=staff, reported=True, at=reported_at, reference="IC-123456-A1B2"
    )
    incident.refresh_from_db()
    assert (incident.ico_reported_at, incident.ico_reference) == (reported_at, "IC-123456-A1B2")
    assert incident.deadlines()[0].status(timezone.now()) == "Done"
    with pytest.raises(IncidentError, match="already recorded"):
        incident_report_record(incident=incident, actor=staff, reported=False, reason="No risk")


def test_a_decision_not_to_report_needs_a_reason_and_may_give_way_to_a_report(staff):
    incident = recorded(actor=staff, found_at=FOUND)
    with pytest.raises(IncidentError, match="Say why"):
        incident_report_record(incident=incident, actor=staff, reported=False, reason=" ")
    incident_report_record(
        incident=incident, actor=staff, reported=False, reason="Encrypted, key not exposed."
    )
    assert incident.ico_decided_at is not None
    incident_report_record(incident=incident, actor=staff, reported=True, reference="IC-1")
    incident.refresh_from_db()
    assert incident.ico_not_reported_at is None
    assert incident.ico_not_reported_reason == ""
    assert incident.ico_reported_at is not None


def test_a_report_cannot_be_dated_before_it_was_found_or_in_the_future(staff):
    incident = recorded(actor=staff, found_at=FOUND)
    for at in (FOUND - timedelta(hours=1), timezone.now() + timedelta(hours=1)):
        with pytest.raises(IncidentError):
            incident_report_record(incident=incident, actor=staff, reported=True, at=at)


# --- Retrospective and closing -------------------------------------------------------


def test_the_retrospective_is_recorded_once_and_may_be_rewritten(staff):
    incident = recorded(actor=staff)
    with pytest.raises(IncidentError, match="Write the retrospective"):
        incident_retrospective_record(incident=incident, text="  ", actor=staff)
    incident_retrospective_record(
        incident=incident, text="Exports now need a second check.", actor=staff
    )
    first_at = incident.retrospective_at
    incident_retrospective_record(incident=incident, text="Better wording.", actor=staff)
    incident.refresh_from_db()
    assert (incident.retrospective, incident.retrospective_at) == ("Better wording.", first_at)


def test_closing_waits_for_every_step_then_nothing_more_is_recorded(staff):
    world = build_world()
    incident = recorded(actor=staff)
    assert incident_close_blockers(incident=incident) == [
        "Set the scope: who the incident affects.",
        "Record the report to the ICO, or the decision not to report.",
        "Record the retrospective.",
    ]
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)
    incident_report_record(incident=incident, actor=staff, reported=False, reason="Low risk.")
    incident_retrospective_record(incident=incident, text="Learned.", actor=staff)
    with pytest.raises(IncidentError, match="Tell the affected schools"):
        incident_close(incident=incident, actor=staff)
    assert incident.closed_at is None

    incident_notify_schools(incident=incident, actor=staff)
    incident_close(incident=incident, actor=staff)
    assert incident.closed_at is not None
    with pytest.raises(IncidentError, match="closed"):
        incident_retrospective_record(incident=incident, text="Later thoughts.", actor=staff)
    with pytest.raises(IncidentError, match="closed"):
        incident_close(incident=incident, actor=staff)


def test_an_incident_that_reached_no_school_closes_without_school_notices(staff):
    incident = recorded(actor=staff)
    now = timezone.now()
    incident_scope_set(
        incident=incident,
        kind="sign_ins",
        starts_at=now - timedelta(hours=1),
        ends_at=now,
        actor=staff,
    )
    incident_report_record(
        incident=incident, actor=staff, reported=False, reason="Nobody affected."
    )
    incident_retrospective_record(incident=incident, text="A false alarm.", actor=staff)
    incident_close(incident=incident, actor=staff)
    assert incident.deadlines()[1].status(timezone.now()) == "Not needed"


# --- The registry --------------------------------------------------------------------


def test_the_member_of_staff_who_recorded_it_can_be_exported_and_erased_and_the_incident_stays(
    staff,
):
    incident = recorded(actor=staff, title="Laptop lost")
    other = recorded(actor=UserFactory(is_staff=True))
    incidents = category("incidents")
    exported = incidents.export(user=staff)
    assert [row["incident"] for row in exported] == [incident.pk]
    assert exported[0]["title"] == "Laptop lost"

    assert incidents.erase(user=staff) == 1
    incident.refresh_from_db()
    other.refresh_from_db()
    assert incident.recorded_by is None
    assert other.recorded_by is not None
    assert incidents.export(pupil=build_world().pupils["robin"]) == []
