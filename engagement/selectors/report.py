"""The Pupil Premium engagement report (docs/architecture.md §4): Pupil Premium (PP) against
not-PP, with the gap, for a school and its year groups and classes, and a weekly
trend. Every count comes from the database in two grouped queries
(``families.family_counts`` and ``families.weekly_active_counts``), whatever the
size of the school.

Terms are fixed calendar dates, the same every year: autumn 1 September to
1 January, spring 1 January to 1 April, summer 1 April to 1 September; the
academic year runs from 1 September to the next 1 September.

Percentages are rounded to one decimal place and completions per pupil to two
(half up); each gap is the rounded PP figure minus the rounded not-PP one, so the
published numbers add up. With ``suppress``, a PP or not-PP group of fewer than
5 pupils has each of its cells, and the row's gaps, shown as "fewer than 5".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from engagement.selectors.families import (
    Period,
    family_counts,
    pupils_in_scope,
    weekly_active_counts,
)
from engagement.selectors.periods import school_today
from schools.models import School, SchoolClass, YearGroup

SUPPRESSED = "fewer than 5"
SMALLEST_GROUP = 5

CSV_HEADER = (
    "breakdown",
    "name",
    "pp_pupils",
    "not_pp_pupils",
    "pp_reached_pct",
    "not_pp_reached_pct",
    "reached_gap_pts",
    "pp_active_pct",
    "not_pp_active_pct",
    "active_gap_pts",
    "pp_completions_per_pupil",
    "not_pp_completions_per_pupil",
    "completions_per_pupil_gap",
)

PERIOD_CHOICES = (
    ("this_term", "This term"),
    ("last_term", "Last term"),
    ("this_year", "This academic year"),
    ("custom", "Custom dates"),
)

# (month, day) on which each term starts, in the order of the academic year.
TERM_STARTS = ((9, 1, "Autumn term"), (1, 1, "Spring term"), (4, 1, "Summer term"))


def _term_start(day: dt.date) -> tuple[dt.date, int]:
    """The first day of the term containing ``day`` and the term's index (0 = autumn)."""
    if day.month >= 9:
        return dt.date(day.year, 9, 1), 0
    if day.month >= 4:
        return dt.date(day.year, 4, 1), 2
    return dt.date(day.year, 1, 1), 1


def term_containing(day: dt.date) -> tuple[Period, str]:
    start, index = _term_start(day)
    month, date_, _ = TERM_STARTS[(index + 1) % 3]
    year = start.year + 1 if index == 0 else start.year
    return Period(start, dt.date(year, month, date_)), TERM_STARTS[index][2]


def period_named(name: str, *, today: dt.date | None = None) -> tuple[Period, str]:
    """The period ``this_term``, ``last_term`` or ``this_year`` around ``today``
    (the school's local date by default), with a label."""
    today = today or timezone.localdate()
    if name == "this_term":
        return term_containing(today)
    if name == "last_term":
        this_term, _ = term_containing(today)
        return term_containing(this_term.start - dt.timedelta(days=1))
    if name == "this_year":
        start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        end = dt.date(start.year + 1, 9, 1)
        return Period(start, end), f"Academic year {start.year} to {end.year}"
    raise ValueError(f"Unknown period {name!r}.")


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _per_pupil(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _gap(pp, not_pp):
    if pp is None or not_pp is None:
        return None
    return pp - not_pp


@dataclass
class Group:
    """The PP or not-PP pupils of one row."""

    pupils: int = 0
    reached: int = 0
    active: int = 0
    completions: int = 0

    def add(self, counts: dict) -> None:
        self.pupils += counts["pupils"]
        self.reached += counts["reached"]
        self.active += counts["active"]
        self.completions += counts["completions"]

    @property
    def reached_pct(self):
        return _percent(self.reached, self.pupils)

    @property
    def active_pct(self):
        return _percent(self.active, self.pupils)

    @property
    def completions_per_pupil(self):
        return _per_pupil(self.completions, self.pupils)

    @property
    def too_small(self) -> bool:
        return self.pupils < SMALLEST_GROUP


@dataclass
class Row:
    breakdown: str  # "school", "year_group" or "class"
    name: str
    pp: Group = field(default_factory=Group)
    not_pp: Group = field(default_factory=Group)

    def cells(self, *, suppress: bool) -> list:
        """The row's values in ``CSV_HEADER`` order; ``None`` where there is no
        value (a group with no pupils)."""
        pp_hidden = suppress and self.pp.too_small
        not_pp_hidden = suppress and self.not_pp.too_small

        def shown(value, hidden):
            return SUPPRESSED if hidden else value

        def gap(pp, not_pp):
            return SUPPRESSED if pp_hidden or not_pp_hidden else _gap(pp, not_pp)

        pp, not_pp = self.pp, self.not_pp
        return [
            self.breakdown,
            self.name,
            shown(pp.pupils, pp_hidden),
            shown(not_pp.pupils, not_pp_hidden),
            shown(pp.reached_pct, pp_hidden),
            shown(not_pp.reached_pct, not_pp_hidden),
            gap(pp.reached_pct, not_pp.reached_pct),
            shown(pp.active_pct, pp_hidden),
            shown(not_pp.active_pct, not_pp_hidden),
            gap(pp.active_pct, not_pp.active_pct),
            shown(pp.completions_per_pupil, pp_hidden),
            shown(not_pp.completions_per_pupil, not_pp_hidden),
            gap(pp.completions_per_pupil, not_pp.completions_per_pupil),
        ]


@dataclass
class Week:
    start: dt.date
    pp_active: int
    not_pp_active: int
    pp_active_pct: Decimal | str | None
    not_pp_active_pct: Decimal | str | None

    @property
    def gap(self):
        if SUPPRESSED in (self.pp_active_pct, self.not_pp_active_pct):
            return SUPPRESSED
        return _gap(self.pp_active_pct, self.not_pp_active_pct)


@dataclass
class Report:
    school: School
    period: Period
    rows: list[Row]
    weeks: list[Week]
    suppress: bool

    def cells(self) -> list[list]:
        return [row.cells(suppress=self.suppress) for row in self.rows]


def _year_group_name(year_group: int | None) -> str:
    if year_group is None:
        return "No year group"
    return YearGroup(year_group).label


def pp_report(
    *,
    school: School,
    period: Period,
    class_ids: list[int] | None = None,
    school_class: SchoolClass | None = None,
    year_group: int | None = None,
    whole_school_rows: bool = True,
    suppress: bool = False,
) -> Report:
    """The report for ``school`` over ``period``.

    ``class_ids`` limits it to those classes (a teacher's own); ``school_class`` or
    ``year_group`` to one class or year group. Rows: the school, then each year
    group, then each class, keeping only those the filters leave: one class gives
    its class row; one year group its row and its classes' rows; with
    ``whole_school_rows`` off (a teacher), class rows only."""
    if school_class is not None:
        class_ids = [cid for cid in (class_ids or [school_class.pk]) if cid == school_class.pk]
    pupils = pupils_in_scope(
        school=school, period=period, class_ids=class_ids, year_group=year_group
    )
    counts = family_counts(
        school=school,
        period=period,
        pupils=pupils,
        group_by=("school_class_id", "year_group", "pupil_premium"),
    )
    total = Row("school", school.name)
    by_year: dict[int | None, Row] = {}
    by_class: dict[int | None, Row] = {}
    for entry in counts:
        year_row = by_year.setdefault(
            entry["year_group"], Row("year_group", _year_group_name(entry["year_group"]))
        )
        class_row = by_class.setdefault(entry["school_class_id"], Row("class", "No class"))
        for row in (total, year_row, class_row):
            (row.pp if entry["pupil_premium"] else row.not_pp).add(entry)
    classes = SchoolClass.objects.filter(school=school, pk__in=[k for k in by_class if k])
    for school_class_ in classes:
        by_class[school_class_.pk].name = school_class_.name
    class_order = [c.pk for c in classes] + [None]
    class_rows = [by_class[pk] for pk in class_order if pk in by_class]
    year_rows = [
        by_year[key]
        for key in sorted(by_year, key=lambda k: (k is None, k if k is not None else 0))
    ]
    if school_class is not None:
        rows = [by_class.get(school_class.pk) or Row("class", school_class.name)]
    elif not whole_school_rows:
        rows = class_rows
    elif year_group is not None:
        rows = [*year_rows, *class_rows]
    else:
        rows = [total, *year_rows, *class_rows]
    weeks = _weeks(school=school, period=period, pupils=pupils, total=total, suppress=suppress)
    return Report(school=school, period=period, rows=rows, weeks=weeks, suppress=suppress)


def _weeks(*, school, period, pupils, total: Row, suppress: bool) -> list[Week]:
    active = {
        (entry["week"], entry["pupil_premium"]): entry["active"]
        for entry in weekly_active_counts(school=school, period=period, pupils=pupils)
    }
    weeks = []
    monday = period.start - dt.timedelta(days=period.start.weekday())
    # Weeks that have not started yet have nothing to show.
    last = min(period.end, school_today() + dt.timedelta(days=1))
    while monday < last:
        pp = active.get((monday, True), 0)
        not_pp = active.get((monday, False), 0)
        pp_pct = _percent(pp, total.pp.pupils)
        not_pp_pct = _percent(not_pp, total.not_pp.pupils)
        if suppress and total.pp.too_small:
            pp_pct = SUPPRESSED
        if suppress and total.not_pp.too_small:
            not_pp_pct = SUPPRESSED
        weeks.append(Week(monday, pp, not_pp, pp_pct, not_pp_pct))
        monday += dt.timedelta(days=7)
    return weeks


def class_named(*, school: School, name: str) -> SchoolClass | None:
    """The school's class called ``name`` (of the latest academic year that has one)."""
    return (
        SchoolClass.objects.filter(school=school, name=name.strip())
        .order_by("-academic_year")
        .first()
    )
