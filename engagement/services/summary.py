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
    if event.actor_id is None:
        return
    day = event.at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    EngagementDay.objects.bulk_create(
        [_day_row(school_id=event.school_id, parent_id=event.actor_id, day=day)],
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
