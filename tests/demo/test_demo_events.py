"""seed_demo --events-per-pupil: a year of engagement, realistic and repeatable.

Families who joined (about 70%) are the only ones with events, a share of them
never did anything, events follow the school week and day, and every activity
completed is a Completion at the same moment.
"""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from demo.accounts import DEMO_PARENT
from demo.events import EVENT_MIX
from demo.moments import in_holiday
from engagement.models import EngagementDay, Event
from engagement.services import summary_rebuild
from learning.models import Assignment, Completion
from learning.services import SCHOOL_TIME_ZONE
from schools.models import Guardianship, Pupil

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=SCHOOL_TIME_ZONE)
PUPILS = 120
PER_PUPIL = 20


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def seed(*args: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--schools",
        "2",
        "--pupils-per-school",
        str(PUPILS),
        "--events-per-pupil",
        str(PER_PUPIL),
        *args,
        stdout=out,
    )
    return out.getvalue()


def _events():
    return Event.objects.order_by("pk")


def test_about_the_events_asked_for_are_seeded_and_reported(frozen_now):
    out = seed()

    count = Event.objects.count()
    assert abs(count - 2 * PUPILS * PER_PUPIL) <= 0.02 * 2 * PUPILS * PER_PUPIL
    assert f"{count} events" in out
    assert {kind for (kind,) in Event.objects.values_list("kind").distinct()} == {
        share.kind for share in EVENT_MIX
    }


def test_only_parents_who_joined_have_events_and_only_after_joining(frozen_now):
    seed()

    joined_before = Guardianship.objects.filter(
        parent=OuterRef("actor"), pupil__school=OuterRef("school"), confirmed_at__lte=OuterRef("at")
    )
    assert not _events().exclude(Exists(joined_before)).exists()
    assert not _events().filter(actor__email=DEMO_PARENT.email).exists()
    # A pupil an event is about is a child of its actor.
    child = Guardianship.objects.filter(parent=OuterRef("actor"), pupil=OuterRef("pupil"))
    assert not _events().filter(pupil__isnull=False).exclude(Exists(child)).exists()
    assert not _events().filter(actor__is_active=False).exists()


def test_most_families_joined_and_some_who_joined_never_came(frozen_now):
    seed()

    on_roll = Pupil.objects.exclude(guardianships__parent__email=DEMO_PARENT.email)
    joined = Guardianship.objects.filter(pupil=OuterRef("pk"), confirmed_at__isnull=False)
    active = joined.filter(Exists(Event.objects.filter(actor=OuterRef("parent"))))
    reached = on_roll.filter(Exists(joined)).count() / on_roll.count()
    never_active = (
        1 - on_roll.filter(Exists(active)).count() / on_roll.filter(Exists(joined)).count()
    )

    assert 0.55 <= reached <= 0.8
    assert 0.1 <= never_active <= 0.35
    # Parents who joined are recorded as last active at their last event.
    parent = User.objects.filter(events__isnull=False).first()
    assert parent.last_active_at == parent.events.order_by("-at").first().at


def test_events_follow_the_school_week_day_and_year(frozen_now):
    seed()

    moments = [at.astimezone(SCHOOL_TIME_ZONE) for at in _events().values_list("at", flat=True)]
    assert min(moments) >= NOW - timedelta(days=365) - timedelta(hours=1)
    assert max(moments) < NOW
    evenings = sum(17 <= at.hour < 21 for at in moments) / len(moments)
    assert evenings > 0.4  # 4 hours of 24
    days = Counter(at.weekday() for at in moments)
    assert min(days[d] for d in range(4)) > max(days[5], days[6])
    holidays = sum(in_holiday(at.date()) for at in moments) / len(moments)
    assert holidays < 0.15  # about a quarter of the year's days


def test_each_activity_completed_is_a_completion_at_the_same_moment(frozen_now):
    seed()

    completed = _events().filter(kind=Event.Kind.ACTIVITY_COMPLETED)
    assert completed.exists()
    completions = {
        (c.pupil_id, f"activity:{c.activity_id}", c.completed_by_id, c.completed_at)
        for c in Completion.objects.all()
    }
    assert completions == {(e.pupil_id, e.subject, e.actor_id, e.at) for e in completed}
    # Work opened was set for the child's class and had started by then.
    opened = _events().filter(kind=Event.Kind.ASSIGNMENT_OPENED).select_related("pupil")
    assignments = {a.pk: a for a in Assignment.objects.all()}
    for event in opened:
        assignment = assignments[int(event.subject.split(":")[1])]
        assert assignment.school_class_id == event.pupil.school_class_id
        assert assignment.starts_on <= event.at.astimezone(SCHOOL_TIME_ZONE).date()


def test_the_same_seed_gives_the_same_engagement_and_a_rerun_replaces_it(frozen_now):
    def fingerprint():
        events = _events().values_list("actor__email", "actor__mobile", "kind", "pupil__upn", "at")
        return Counter(events), Completion.objects.count()

    seed()
    first = fingerprint()
    seed()

    assert fingerprint() == first
    seed("--seed", "2")
    assert fingerprint() != first


def test_without_events_nobody_but_the_demo_parent_has_joined(frozen_now):
    call_command("seed_demo", "--schools", "1", "--pupils-per-school", "30", stdout=StringIO())

    assert not Event.objects.exists()
    confirmed = Guardianship.objects.filter(confirmed_at__isnull=False)
    assert set(confirmed.values_list("parent__email", flat=True)) == {DEMO_PARENT.email}


def test_the_reports_summary_holds_every_seeded_parent_day(frozen_now):
    seed()
    kept = set(EngagementDay.objects.values_list("school_id", "parent_id", "day"))

    summary_rebuild()

    assert kept
    assert kept == set(EngagementDay.objects.values_list("school_id", "parent_id", "day"))
