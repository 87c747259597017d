"""The engagement summary kept as events arrive agrees with one rebuilt from the
raw events, and the report reads it."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from engagement.models import EngagementDay, Event
from engagement.services import event_record, summary_rebuild, summary_record
from tests.factories import GuardianshipFactory, PupilFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def _summary():
    return sorted(EngagementDay.objects.values_list("school_id", "parent_id", "day", "week"))


def test_the_summary_kept_as_events_arrive_agrees_with_a_rebuild(school):
    other = SchoolFactory()
    parents = [GuardianshipFactory(pupil=PupilFactory(school=school)).parent for _ in range(3)]
    moments = [
        dt.datetime(2025, 3, 29, 23, 30, tzinfo=dt.UTC),  # Saturday 23:30 GMT
        dt.datetime(2025, 3, 30, 23, 30, tzinfo=dt.UTC),  # Monday 00:30 BST: next week
        dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.UTC),  # the same local day again
        dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC),  # clocks go back that night
    ]
    for moment in moments:
        # Events recorded at a given time, kept in the summary as event_record keeps them.
        for parent in parents:
            summary_record(
                event=Event.objects.create(actor=parent, school=school, kind="signed_in", at=moment)
            )
        summary_record(
            event=Event.objects.create(actor=parents[0], school=other, kind="signed_in", at=moment)
        )
        summary_record(
            event=Event.objects.create(actor=None, school=school, kind="signed_in", at=moment)
        )
    for parent in parents:  # and today, through the service itself
        event_record(actor=parent, kind=Event.Kind.SIGNED_IN, school=school)
        event_record(actor=parent, kind=Event.Kind.ASSIGNMENT_OPENED, school=school)
    kept = _summary()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    assert len(kept) == 4 * 3 + 3  # three local days and today for each parent, one elsewhere
    assert {row[2:] for row in kept if row[1] == parents[1].pk} - {(today, monday)} == {
        (dt.date(2025, 3, 29), dt.date(2025, 3, 24)),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
        (dt.date(2025, 10, 26), dt.date(2025, 10, 20)),
    }
    EngagementDay.objects.all().delete()
    assert summary_rebuild() == len(kept)
    assert _summary() == kept


def test_the_command_rebuilds_one_school_or_all(school):
    parent = UserFactory()
    Event.objects.create(actor=parent, school=school, kind="signed_in")
    other = SchoolFactory()
    Event.objects.create(actor=parent, school=other, kind="signed_in")
    out = io.StringIO()
    call_command("rebuild_engagement_summary", "--school", school.urn, stdout=out)
    assert "1 parent-days" in out.getvalue()
    assert list(EngagementDay.objects.values_list("school_id", flat=True)) == [school.pk]
    call_command("rebuild_engagement_summary", stdout=io.StringIO())
    assert EngagementDay.objects.count() == 2
    with pytest.raises(CommandError, match="No school has the URN"):
        call_command("rebuild_engagement_summary", "--school", "000000")
