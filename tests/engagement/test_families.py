"""The shared building blocks of engagement counts (docs/architecture.md §4)."""

import datetime as dt

import pytest

from engagement.models import Event
from engagement.selectors import Period, family_counts, local_midnight, weekly_active_counts
from engagement.services import summary_rebuild
from tests.factories import GuardianshipFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 1))  # clocks go forward on 30 March


def _pupil(school, *, pp, created=dt.datetime(2024, 9, 1, tzinfo=dt.UTC), **fields):
    pupil = PupilFactory(school=school, pupil_premium=pp, **fields)
    type(pupil).objects.filter(pk=pupil.pk).update(created_at=created)
    return pupil


def test_counts_by_pupil_premium_in_one_query(django_assert_num_queries):
    school = SchoolFactory()
    joined = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    active = _pupil(school, pp=True)
    parent = GuardianshipFactory(pupil=active, confirmed_at=joined).parent
    GuardianshipFactory(pupil=active, confirmed_at=joined)  # a second parent: counted once
    Event.objects.create(actor=parent, school=school, kind="signed_in", at=PERIOD.start_at)
    reached = _pupil(school, pp=False)
    GuardianshipFactory(pupil=reached, confirmed_at=joined)
    _pupil(school, pp=False)  # nobody joined
    summary_rebuild()
    with django_assert_num_queries(1):
        rows = family_counts(school=school, period=PERIOD)
    assert rows == [
        {"pupil_premium": False, "pupils": 2, "reached": 1, "active": 0, "completions": 0},
        {"pupil_premium": True, "pupils": 1, "reached": 1, "active": 1, "completions": 0},
    ]


def test_the_period_is_local_dates_across_a_clock_change():
    assert local_midnight(dt.date(2025, 4, 1)) == dt.datetime(2025, 3, 31, 23, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2025, 3, 1)) == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    school = SchoolFactory()
    pupil = _pupil(school, pp=True)
    parent = GuardianshipFactory(
        pupil=pupil, confirmed_at=local_midnight(dt.date(2025, 1, 1))
    ).parent
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: outside the period.
    Event.objects.create(
        actor=parent,
        school=school,
        kind="signed_in",
        at=dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC),
    )
    summary_rebuild()
    assert family_counts(school=school, period=PERIOD)[0]["active"] == 0
    Event.objects.create(
        actor=parent,
        school=school,
        kind="signed_in",
        at=dt.datetime(2025, 3, 31, 22, 59, tzinfo=dt.UTC),
    )
    summary_rebuild()
    assert family_counts(school=school, period=PERIOD)[0]["active"] == 1
    assert weekly_active_counts(school=school, period=PERIOD) == [
        {"week": dt.date(2025, 3, 31), "active": 1, "pupil_premium": True}
    ]
