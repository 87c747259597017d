"""When families use the portal: the demo's year of hours, each weighted by how
busy families are then (``demo.events`` draws its events' moments from it).

Term time is much busier than the holidays, weekdays busier than weekends, and
evenings (17:00-21:00, school local time) busiest of all.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, timedelta
from itertools import accumulate

from learning.services import SCHOOL_TIME_ZONE

DAYS = 365

# School holidays in England, roughly (month, day) to (month, day) inclusive.
HOLIDAYS = (
    ((7, 23), (9, 2)),
    ((10, 25), (11, 2)),
    ((12, 20), (1, 4)),
    ((2, 14), (2, 22)),
    ((3, 28), (4, 12)),
    ((5, 24), (6, 1)),
)
HOLIDAY_WEIGHT = 0.25
# Monday first.
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 0.95, 0.7, 0.45, 0.6)
# By local hour: quiet at night, a little before school and at pick-up, most 17-21.
HOUR_WEIGHTS = (
    (0.02,) * 6
    + (0.15, 0.4, 0.3, 0.15, 0.15, 0.15, 0.25, 0.15, 0.15, 0.35, 0.6)
    + (1.0, 1.0, 1.0, 1.0, 0.45, 0.15, 0.05)
)


def in_holiday(day: date) -> bool:
    md = (day.month, day.day)
    for first, last in HOLIDAYS:
        if (first <= md <= last) if first <= last else (md >= first or md <= last):
            return True
    return False


class Clock:
    """The window's hours (UTC), each weighted by how busy families are then."""

    def __init__(self, now: datetime):
        self.end = now
        self.start = (now - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
        hours = int((now - self.start).total_seconds() // 3600)
        self.hours = [self.start + timedelta(hours=n) for n in range(hours)]
        weights = []
        for hour in self.hours:
            local = hour.astimezone(SCHOOL_TIME_ZONE)
            weight = WEEKDAY_WEIGHTS[local.weekday()] * HOUR_WEIGHTS[local.hour]
            weights.append(weight * (HOLIDAY_WEIGHT if in_holiday(local.date()) else 1.0))
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def hour_at(self, fraction: float) -> int:
        """The hour below which ``fraction`` of the window's activity falls."""
        return min(bisect_right(self.cumulative, fraction * self.total), len(self.hours) - 1)

    def share_after(self, hour: int) -> float:
        before = self.cumulative[hour - 1] if hour else 0.0
        return (self.total - before) / self.total

    def moment(self, rng: random.Random, *, after: int) -> tuple[int, datetime]:
        """A busy-weighted moment from hour ``after`` on, and its hour."""
        low = self.cumulative[after - 1] if after else 0.0
        hour = bisect_right(self.cumulative, low + rng.random() * (self.total - low))
        hour = min(hour, len(self.hours) - 1)
        at = self.hours[hour] + timedelta(seconds=rng.randrange(3600))
        return hour, min(at, self.end - timedelta(seconds=1))
