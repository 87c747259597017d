"""Pupils the school removes (leavers), by hand or by a roster import's
``--remove-missing``: one rule for both.

Staff no longer see a removed pupil (``accounts.access.pupils``); the parents
still do, and each parent who had joined is told once, by a service message, that
what they shared stays available to them and how to close their account.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.names import ascii_only, names_joined
from audit.services import audit_record
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.models import Guardianship, Pupil, School
from schools.roster.planning import BATCH_SIZE, batched

TEMPLATE = "pupil_left"


class Reason:
    """Why pupils were removed, as recorded in the audit entry."""

    BY_HAND = "by_hand"
    ROSTER = "roster"
    # The school itself left the portal: every pupil goes (schools.services.offboarding).
    SCHOOL_OFFBOARDED = "school_offboarded"


def account_settings_link() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('accounts:settings')}"


def _parents_to_tell(school: School, removed_at: datetime) -> Iterator[list[Guardianship]]:
    """The joined links to the pupils this call removed (they share its timestamp),
    one list per parent with an open account, streamed in chunks."""
    rows = (
        Guardianship.objects.filter(
            pupil__school=school,
            pupil__removed_by_school_at=removed_at,
            pupil__anonymised_at__isnull=True,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__is_active=True,
            parent__closed_at__isnull=True,
        )
        .select_related("parent", "pupil")
        .order_by("parent_id", "pupil__first_name", "pupil_id")
    )
    for _parent_id, group in groupby(
        rows.iterator(chunk_size=BATCH_SIZE), key=lambda row: row.parent_id
    ):
        yield list(group)


def _message(
    school: School, guardianships: list[Guardianship], removed_at: datetime, *, school_left: bool
) -> OutgoingMessage | None:
    """One message naming all the parent's children removed, by email, or by text
    when the parent has no email. ``school_left``: the school itself has left the
    portal, and the message says that rather than that the children left."""
    parent = guardianships[0].parent
    if parent.email:
        channel = Message.Channel.EMAIL
    elif parent.mobile:
        channel = Message.Channel.SMS
    else:
        return None
    children = [guardianship.pupil for guardianship in guardianships]
    context = {
        "parent_name": parent.get_short_name(),
        "children": names_joined([child.first_name for child in children]),
        "several": len(children) > 1,
        "school_name": school.name_for_parents,
        "settings_link": account_settings_link(),
        "school_left": school_left,
    }
    return OutgoingMessage(
        recipient=parent,
        channel=channel,
        template=TEMPLATE,
        context=context,
        # A long school name or many children: the text says less.
        shorter_contexts=[
            {**context, "school_name": ascii_only(context["school_name"])[:40]},
            {
                **context,
                "school_name": ascii_only(context["school_name"])[:40],
                "children": "your children" if len(children) > 1 else "your child",
            },
        ],
        idempotency_key=f"pupils-left:{school.pk}:parent-{parent.pk}:{removed_at.timestamp()}",
        kind=Message.Kind.SERVICE,
        reference=f"pupils-left:{school.pk}",
    )


def _messages(
    school: School, removed_at: datetime, *, school_left: bool
) -> Iterator[OutgoingMessage]:
    for guardianships in _parents_to_tell(school, removed_at):
        message = _message(school, guardianships, removed_at, school_left=school_left)
        if message is not None:
            yield message


@dataclass(frozen=True)
class PupilsRemoved:
    removed: int
    parents_told: int


@transaction.atomic
def pupils_remove(
    *, school: School, pupil_ids: Iterable[int], actor: User | None, reason: str
) -> PupilsRemoved:
    """Mark these pupils of ``school`` as removed by the school; returns how many
    were removed (pupils already removed, anonymised or of another school are
    left alone) and how many parents were told.

    In the caller's transaction, ``BATCH_SIZE`` pupils an UPDATE; then one message
    per parent who had joined (confirmed link, not ended, account open), naming
    all their children removed here, queued in batches by the outbox (which
    leaves out restricted accounts). Nothing the families recorded is deleted.
    """
    removed_at = timezone.now()
    removed: list[int] = []
    for batch in batched(pupil_ids):
        to_remove = list(
            Pupil.objects.filter(
                school=school,
                pk__in=batch,
                removed_by_school_at__isnull=True,
                anonymised_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        if to_remove:
            Pupil.objects.filter(pk__in=to_remove).update(
                removed_by_school_at=removed_at, updated_at=removed_at
            )
            removed.extend(to_remove)
    if not removed:
        return PupilsRemoved(removed=0, parents_told=0)
    school_left = reason == Reason.SCHOOL_OFFBOARDED
    queued = messages_queue(messages=_messages(school, removed_at, school_left=school_left))
    # Ids and counts only: the rows name children and parents.
    audit_record(
        actor=actor,
        action="pupils.remove",
        subject=school,
        changes={
            "reason": reason,
            "pupils": sorted(removed),
            "removed": len(removed),
            "parents_told": len(queued),
        },
    )
    return PupilsRemoved(removed=len(removed), parents_told=len(queued))
