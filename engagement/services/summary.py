"""The engagement summary (``EngagementDay``): one row per school, parent and
local day with any event, kept as events are recorded and rebuilt from the events
on demand. Events are append-only, so adding a row is all an event ever needs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
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
    if connection.vendor == "postgresql":
        with transaction.atomic():
            days.delete()
            return _rebuild_in_sql(school)
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


def _rebuild_in_sql(school: School | None) -> int:
    """The rebuild as one INSERT ... SELECT on PostgreSQL: millions of events
    (``seed_demo`` writes them with COPY) never pass through Python."""
    day = "(e.at AT TIME ZONE %s)::date"
    where = "e.actor_id IS NOT NULL" + (" AND e.school_id = %s" if school is not None else "")
    params = [settings.TIME_ZONE, settings.TIME_ZONE]
    if school is not None:
        params.append(school.pk)
    # Table names come from the models and the filter is fixed text; values are parameters.
    sql = (
        f"INSERT INTO {EngagementDay._meta.db_table} (school_id, parent_id, day, week) "  # noqa: S608
        f"SELECT DISTINCT e.school_id, e.actor_id, {day}, "
        f"date_trunc('week', e.at AT TIME ZONE %s)::date "
        f"FROM {Event._meta.db_table} e WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
