"""How many families a school reaches and how many are active, worked out by the
database for a whole group of pupils at once (docs/architecture.md §4).

A period is ``[start, end)`` in school local dates (``settings.TIME_ZONE``,
Europe/London): it starts at local midnight of ``start`` and ends just before
local midnight of ``end``, whatever the clocks did in between.

- on roll at the end of the period: created before ``end``, not removed by the
  school before ``end``, not anonymised;
- reached: at least one parent whose guardianship was confirmed before ``end`` and
  not ended before ``end``, whose account is neither closed nor restricted;
- active: at least one such parent with an engagement event at this school in the
  period (events at another school of the same parent do not count here), read
  from the summary of events by parent and local day (``EngagementDay``);
- completions: the pupil's completions with their time in the period.

Each is a per-pupil expression, so one grouped query over ``Pupil`` gives every
count for any grouping (Pupil Premium, class, year group), and a pupil with two
parents counts once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from engagement.models import EngagementDay, Event
from learning.models import Completion
from schools.models import Guardianship, Pupil, School


def school_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware instant at which ``day`` starts in school local time."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=school_timezone())


@dataclass(frozen=True)
class Period:
    """Local dates ``[start, end)``."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start >= self.end:
            raise ValueError("A period ends after it starts.")

    @property
    def start_at(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return local_midnight(self.end)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def pupils_on_roll_at(*, school: School | int, at: dt.datetime) -> QuerySet[Pupil]:
    """The school's pupils on roll at the instant ``at``."""
    return Pupil.objects.filter(
        Q(removed_by_school_at__isnull=True) | Q(removed_by_school_at__gte=at),
        school=school,
        created_at__lt=at,
        anonymised_at__isnull=True,
    )


def reaching_guardianships(*, at: dt.datetime) -> QuerySet[Guardianship]:
    """Guardianships through which a pupil counts as reached at ``at``: confirmed
    before it, not ended before it, the parent's account open and not restricted."""
    return Guardianship.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=at),
        confirmed_at__lt=at,
        parent__closed_at__isnull=True,
        parent__processing_restricted=False,
    )


def events_recorded_by(*, parent, at_most: int) -> int:
    """How many events ``parent`` recorded, counted no further than ``at_most`` + 1
    (enough to tell whether there are more than ``at_most``)."""
    return Event.objects.filter(actor=parent)[: at_most + 1].count()


def parent_events(*, school: School | int, start_at: dt.datetime, end_at: dt.datetime):
    """Engagement events at ``school`` in ``[start_at, end_at)``."""
    return Event.objects.filter(school=school, at__gte=start_at, at__lt=end_at)


def reached_expression(*, at: dt.datetime, school: School | int | None = None) -> Exists:
    """True for a pupil (the outer query's row) reached at ``at``. Naming the
    pupils' ``school`` changes no answer but lets the database look only at that
    school's links rather than every link on the platform."""
    links = reaching_guardianships(at=at).filter(pupil_id=OuterRef("pk"))
    if school is not None:
        links = links.filter(pupil__school=school)
    return Exists(links)


def active_expression(*, school: School | int, period: Period) -> Exists:
    """True for a pupil with a reaching parent active at ``school`` in ``period``."""
    days = EngagementDay.objects.filter(
        school=school, day__gte=period.start, day__lt=period.end, parent_id=OuterRef("parent_id")
    )
    return Exists(
        reaching_guardianships(at=period.end_at).filter(
            Exists(days), pupil_id=OuterRef("pk"), pupil__school=school
        )
    )


def completions_expression(*, period: Period) -> Coalesce:
    """The number of a pupil's completions in ``period``."""
    completions = (
        Completion.objects.filter(
            pupil_id=OuterRef("pk"),
            completed_at__gte=period.start_at,
            completed_at__lt=period.end_at,
        )
        .order_by()
        .values("pupil_id")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return Coalesce(Subquery(completions, output_field=IntegerField()), Value(0))


def pupils_in_scope(
    *,
    school: School | int,
    period: Period,
    class_ids: list[int] | None = None,
    year_group: int | None = None,
) -> QuerySet[Pupil]:
    """The school's pupils on roll at the end of ``period``, optionally only those
    in ``class_ids`` and/or ``year_group``."""
    pupils = pupils_on_roll_at(school=school, at=period.end_at)
    if class_ids is not None:
        pupils = pupils.filter(school_class_id__in=class_ids)
    if year_group is not None:
        pupils = pupils.filter(year_group=year_group)
    return pupils


def family_counts(
    *,
    school: School | int,
    period: Period,
    pupils: QuerySet[Pupil] | None = None,
    group_by: tuple[str, ...] = ("pupil_premium",),
) -> list[dict]:
    """One query: for each combination of ``group_by`` fields of ``pupils``
    (default: every pupil on roll at the end of ``period``), a dict with those
    fields and ``pupils``, ``reached``, ``active`` and ``completions``."""
    if pupils is None:
        pupils = pupils_in_scope(school=school, period=period)
    rows = (
        pupils.annotate(
            is_reached=reached_expression(at=period.end_at, school=school),
            is_active=active_expression(school=school, period=period),
            completions_in_period=completions_expression(period=period),
        )
        .order_by()
        .values(*group_by)
        .annotate(
            pupils=Count("pk"),
            reached=Count("pk", filter=Q(is_reached=True)),
            active=Count("pk", filter=Q(is_active=True)),
            completions=Coalesce(Sum("completions_in_period"), Value(0)),
        )
        .order_by(*group_by)
    )
    return list(rows)


def weekly_active_counts(
    *,
    school: School | int,
    period: Period,
    pupils: QuerySet[Pupil] | None = None,
    group_by: tuple[str, ...] = ("pupil_premium",),
) -> list[dict]:
    """One query: for each local week (Monday start) of ``period`` that had any
    activity, and each combination of ``group_by`` fields of the pupils, the number
    of ``pupils`` with a reaching parent active at ``school`` that week (within the
    period). Keys: ``week`` (the local date of its Monday), the group fields, ``active``."""
    if pupils is None:
        pupils = pupils_in_scope(school=school, period=period)
    rows = (
        reaching_guardianships(at=period.end_at)
        .filter(
            pupil__in=pupils.values("pk"),
            parent__engagement_days__school=school,
            parent__engagement_days__day__gte=period.start,
            parent__engagement_days__day__lt=period.end,
        )
        .order_by()
        .values("parent__engagement_days__week", *(f"pupil__{field}" for field in group_by))
        .annotate(active=Count("pupil_id", distinct=True))
        .order_by("parent__engagement_days__week")
    )
    result = []
    for row in rows:
        entry = {"week": row.pop("parent__engagement_days__week"), "active": row.pop("active")}
        entry.update({key.removeprefix("pupil__"): value for key, value in row.items()})
        result.append(entry)
    return result
