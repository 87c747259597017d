"""The periods the dashboards count over, in school local dates (Europe/London):
terms, Monday-start weeks, and the last few days.

Terms: autumn from 1 September to 1 January, spring from 1 January to 1 April,
summer from 1 April to 1 September (each ``[start, end)``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from engagement.selectors.families import Period, school_timezone


def school_today() -> dt.date:
    """Today where the schools are, whatever the server's zone."""
    return timezone.localdate(timezone=school_timezone())


@dataclass(frozen=True)
class Term:
    name: str
    period: Period


def school_term(day: dt.date) -> Term:
    """The school term ``day`` falls in."""
    if day.month >= 9:
        return Term(
            f"Autumn term {day.year}", Period(dt.date(day.year, 9, 1), dt.date(day.year + 1, 1, 1))
        )
    if day.month >= 4:
        return Term(
            f"Summer term {day.year}", Period(dt.date(day.year, 4, 1), dt.date(day.year, 9, 1))
        )
    return Term(f"Spring term {day.year}", Period(dt.date(day.year, 1, 1), dt.date(day.year, 4, 1)))


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` is in."""
    return day - dt.timedelta(days=day.weekday())


def this_week(today: dt.date | None = None) -> Period:
    """From this Monday to the end of today."""
    today = today or school_today()
    return Period(week_start(today), today + dt.timedelta(days=1))


def last_week(today: dt.date | None = None) -> Period:
    """Last Monday-to-Sunday week."""
    monday = week_start(today or school_today())
    return Period(monday - dt.timedelta(days=7), monday)


def last_days(days: int, today: dt.date | None = None) -> Period:
    """The last ``days`` days, today included."""
    today = today or school_today()
    return Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))


def weeks_of(period: Period, *, until: dt.date | None = None) -> list[dt.date]:
    """The Mondays of the weeks that overlap ``period`` (up to ``until``'s week)."""
    last = period.last_day if until is None else min(period.last_day, until)
    monday = week_start(period.start)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks
