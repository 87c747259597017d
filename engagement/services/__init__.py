"""Every write to engagement: the event record (appended, never changed) and the
summary kept from it, when users were last active, and teachers' nudges to
families."""

from engagement.services.events import (
    REPEAT_WITHIN,
    event_record,
    sign_in_record,
)
from engagement.services.last_active import (
    last_active_update,
    last_active_window,
)
from engagement.services.nudges import NudgeError, NudgeResult, nudges_send
from engagement.services.summary import (
    summary_rebuild,
    summary_record,
    summary_record_many,
)

__all__ = [
    "REPEAT_WITHIN",
    "NudgeError",
    "NudgeResult",
    "event_record",
    "last_active_update",
    "last_active_window",
    "nudges_send",
    "sign_in_record",
    "summary_rebuild",
    "summary_record",
    "summary_record_many",
]
