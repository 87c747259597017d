"""Writes to the engagement record: events, and the summary kept from them."""

from engagement.services.events import event_record
from engagement.services.summary import summary_rebuild, summary_record

__all__ = ["event_record", "summary_rebuild", "summary_record"]
