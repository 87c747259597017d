"""Writes to the engagement record. Events are appended, never changed.

An event is the engagement of a parent with their child, so one is recorded only
when its actor is a current parent of the pupil (an accepted guardianship that has
not ended, for a pupil the school still has on roll and that is not anonymised),
with an open account whose processing is not restricted. Nothing is ever recorded
for platform staff, for an account that is closed or restricted, or for anyone
acting on a pupil who is not their own child: what teachers and school admins do
on their pages is never engagement. A school that has left the portal
(offboarded) has every pupil removed, and its status is checked as well. A
sign-in counts only for a parent who is not also a member of a school's staff
(they sign in for work).

Every event names its school, its pupil and what it was about (``subject``,
``<kind>:<pk>``, for example ``activity:12``); a sign-in is recorded once for
each of the parent's children on roll, with no subject.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import QuerySet

from accounts.models import User
from engagement.models import Event
from engagement.services.summary import summary_record, summary_record_many
from schools.models import Guardianship, Pupil, School

# A page reloaded, a video played again or a game opened again within this span
# counts once (``event_record(once_per=REPEAT_WITHIN)``).
REPEAT_WITHIN = datetime.timedelta(minutes=1)

# Cache keys that stop the same event being recorded twice within ``once_per``.
_ONCE_KEY = "engagement:once:{kind}:{actor}:{pupil}:{subject}"


def _actor_tracked(actor: User | None) -> bool:
    """May anything this account does be tracked at all?"""
    return (
        actor is not None
        and actor.is_active
        and actor.closed_at is None
        and not actor.processing_restricted
        and not actor.is_staff
        and not actor.is_superuser
    )


def _tracked_guardianships(actor: User) -> QuerySet[Guardianship]:
    """The actor's links to children whose engagement is recorded: on roll at a
    school still on the portal."""
    return Guardianship.objects.filter(
        parent=actor,
        confirmed_at__isnull=False,
        ended_at__isnull=True,
        pupil__removed_by_school_at__isnull=True,
        pupil__anonymised_at__isnull=True,
        pupil__school__status=School.Status.ACTIVE,
    )


def event_record(
    *,
    actor: User | None,
    kind: str,
    school: School,
    pupil: Pupil | None = None,
    subject: str = "",
    once_per: datetime.timedelta | None = None,
) -> Event | None:
    """Append one event, if ``actor`` is a tracked parent of ``pupil`` (of a child at
    ``school`` when no pupil is given); otherwise record nothing and return None.

    ``once_per``: record it at most once in that span for the same actor, pupil,
    kind and subject (a reloaded page, a video played twice), shared by every web
    process through the cache.
    """
    if kind not in Event.Kind.values:
        raise ValueError(f"Unknown event kind {kind!r}.")
    if not _actor_tracked(actor):
        return None
    links = _tracked_guardianships(actor)
    if pupil is not None:
        if pupil.school_id != school.pk:
            raise ValueError("The pupil is not at this school.")
        links = links.filter(pupil=pupil)
    else:
        links = links.filter(pupil__school=school)
    if not links.exists():
        return None
    if once_per is not None:
        key = _ONCE_KEY.format(
            kind=kind, actor=actor.pk, pupil=pupil.pk if pupil else "", subject=subject
        )
        if not cache.add(key, 1, timeout=int(once_per.total_seconds())):
            return None
    event = Event.objects.create(
        actor=actor, kind=kind, school=school, pupil=pupil, subject=subject
    )
    summary_record(event=event)
    return event


def sign_in_record(*, user: User) -> int:
    """A parent signed in: one SIGNED_IN event for each of their children on roll.
    Nothing for members of staff, platform staff, or a closed or restricted account.
    Returns how many events were recorded."""
    if not _actor_tracked(user) or user.memberships.exists():
        return 0
    children = _tracked_guardianships(user).values_list("pupil_id", "pupil__school_id").distinct()
    events = [
        Event(actor=user, kind=Event.Kind.SIGNED_IN, school_id=school_id, pupil_id=pupil_id)
        for pupil_id, school_id in children
    ]
    Event.objects.bulk_create(events)
    summary_record_many(events=events)
    return len(events)
