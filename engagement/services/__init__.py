"""Every write to engagement: the event record and when users were last active."""

from engagement.services.events import (
    REPEAT_WITHIN,
    event_record,
    sign_in_record,
)
from engagement.services.last_active import (
    last_active_update,
    last_active_window,
)

__all__ = [
    "REPEAT_WITHIN",
    "event_record",
    "last_active_update",
    "last_active_window",
    "sign_in_record",
]
