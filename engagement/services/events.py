"""Writes to the engagement record. Events are appended, never changed."""

from accounts.models import User
from engagement.models import Event
from engagement.services.summary import summary_record
from schools.models import Pupil, School


def event_record(
    *,
    actor: User | None,
    kind: str,
    school: School,
    pupil: Pupil | None = None,
    subject: str = "",
) -> Event | None:
    """Append one event; nothing is recorded for an account whose processing is
    restricted (excluded from tracking and reports)."""
    if kind not in Event.Kind.values:
        raise ValueError(f"Unknown event kind {kind!r}.")
    if actor is not None and actor.processing_restricted:
        return None
    event = Event.objects.create(
        actor=actor, kind=kind, school=school, pupil=pupil, subject=subject
    )
    summary_record(event=event)
    return event
