"""Writes to the engagement record: events (appended, never changed) and
teachers' nudges to families."""

from engagement.services.events import event_record
from engagement.services.nudges import NudgeError, NudgeResult, nudges_send

__all__ = [
    "NudgeError",
    "NudgeResult",
    "event_record",
    "nudges_send",
]
