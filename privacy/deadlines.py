"""Deadlines and how long is left, in words staff read at a glance.

A deadline is met once the step is done (``done_at``), on time or late; until
then it is due, or overdue once ``due_at`` has passed. The words say which, so a
list shows an overdue step by its text and not by its colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def duration_words(delta: timedelta) -> str:
    """A positive span as "2 days 4 hours", "5 hours", "40 minutes" or "under a minute"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def unit(count: int, name: str) -> str:
        return f"{count} {name}{'' if count == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour")
    if minutes:
        return unit(minutes, "minute")
    return "under a minute"


@dataclass(frozen=True)
class Deadline:
    """One step of an incident that is due by ``due_at``."""

    label: str
    due_at: datetime
    done_at: datetime | None
    # The incident was closed without this step (no school was affected, say).
    not_needed: bool = False

    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and not self.not_needed and now >= self.due_at

    def was_late(self) -> bool:
        return self.done_at is not None and self.done_at > self.due_at

    def status(self, now: datetime) -> str:
        """What a person reads: done (on time or late), overdue by how long, or
        how long is left."""
        if self.done_at is not None:
            late = f", {duration_words(self.done_at - self.due_at)} late" if self.was_late() else ""
            return f"Done{late}"
        if self.not_needed:
            return "Not needed"
        if self.is_overdue(now):
            return f"OVERDUE by {duration_words(now - self.due_at)}"
        return f"{duration_words(self.due_at - now)} left"
