"""The engagement summary (``EngagementDay``): one row per school, parent and
local day with any event, kept as events are recorded and rebuilt from the events
on demand. Events are append-only, so adding a row is all an event ever needs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.functions import TruncDate

from engagement.models import EngagementDay, Event
from schools.models import School

REBUILD_BATCH = 5000


def _day_row(*, school_id: int, parent_id: int, day: dt.date) -> EngagementDay:
    week = day - dt.timedelta(days=day.weekday())
    return EngagementDay(school_id=school_id, parent_id=parent_id, day=day, week=week)


def summary_record(*, event: Event) -> None:
    """Count ``event``'s actor active at its school on its local day (once)."""
    summary_record_many(events=[event])


def summary_record_many(*, events: list[Event]) -> None:
    """``summary_record`` for several events in one statement."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = {
        (event.school_id, event.actor_id, event.at.astimezone(zone).date())
        for event in events
        if event.actor_id is not None
    }
    EngagementDay.objects.bulk_create(
        [_day_row(school_id=s, parent_id=p, day=d) for s, p, d in sorted(rows)],
        ignore_conflicts=True,
    )


def summary_rebuild(*, school: School | None = None) -> int:
    """Replace the summary (of one school, or all) with one worked out from the
    events, in one transaction; returns the number of rows."""
    events = Event.objects.filter(actor__isnull=False)
    days = EngagementDay.objects.all()
    if school is not None:
        events, days = events.filter(school=school), days.filter(school=school)
    rows = (
        events.annotate(day=TruncDate("at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values_list("school_id", "actor_id", "day")
        .distinct()
        .order_by()
    )
    written = 0
    batch = []
    with transaction.atomic():
        days.delete()
        for school_id, parent_id, day in rows.iterator(chunk_size=REBUILD_BATCH):
            batch.append(_day_row(school_id=school_id, parent_id=parent_id, day=day))
            if len(batch) == REBUILD_BATCH:
                EngagementDay.objects.bulk_create(batch)
                written, batch = written + len(batch), []
        EngagementDay.objects.bulk_create(batch)
    return written + len(batch)
