"""What a person's erasure of their own data would do, and their pending request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engagement.selectors import events_recorded_by
from privacy.models import PrivacyRequest
from schools.selectors import children_for_erasure, pupils_held_by_others

# A parent with more events than this is erased by a worker: the account closes at
# once and the rest follows within minutes (``privacy.tasks.user_erase_task``).
ERASE_AT_ONCE_MAX_EVENTS = 3000


def erasure_is_large(*, user) -> bool:
    """Whether erasing ``user`` is work for a worker rather than for the request."""
    return events_recorded_by(parent=user, at_most=ERASE_AT_ONCE_MAX_EVENTS) > (
        ERASE_AT_ONCE_MAX_EVENTS
    )


@dataclass(frozen=True)
class ErasurePreview:
    """What a parent's erasure would do to their children, for its confirmation page."""

    anonymised: list[Any]  # pupils no one else holds: their identity goes
    kept: list[Any]  # pupils another parent holds: only this parent's link goes
    large: bool  # erased by a worker, within minutes, rather than at once


def erasure_preview(*, user) -> ErasurePreview:
    children = list(children_for_erasure(parent=user).select_related("school"))
    held = pupils_held_by_others(pupil_ids=[child.pk for child in children], parent=user)
    return ErasurePreview(
        anonymised=[child for child in children if child.pk not in held],
        kept=[child for child in children if child.pk in held],
        large=erasure_is_large(user=user),
    )


def erasure_request_pending(*, user) -> PrivacyRequest | None:
    """The open request to erase ``user``'s account, if there is one."""
    return (
        PrivacyRequest.objects.filter(
            kind=PrivacyRequest.Kind.ERASURE,
            subject_user=user,
            status__in=[PrivacyRequest.Status.OPEN, PrivacyRequest.Status.IN_PROGRESS],
        )
        .order_by("pk")
        .first()
    )
