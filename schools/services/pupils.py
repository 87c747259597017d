"""A school admin's changes to one pupil: removing a parent's link to the child,
and marking the child as having left the school."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.names import ascii_only
from audit.services import audit_record
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.models import Guardianship, Pupil
from schools.services.leavers import Reason, pupils_remove


class PupilChangeError(Exception):
    """A change to a pupil that cannot be made, with a message for the admin."""


def _ended_message(guardianship: Guardianship, pupil: Pupil) -> list[OutgoingMessage]:
    """Tell the parent (by email, or by text if they have no email) that the school
    removed the link, and whom to ask about it."""
    parent = guardianship.parent
    if parent.email:
        channel = Message.Channel.EMAIL
    elif parent.mobile:
        channel = Message.Channel.SMS
    else:
        return []
    school = pupil.school
    context = {
        "parent_name": parent.get_short_name(),
        "first_name": pupil.first_name,
        "school_name": school.name_for_parents,
        "contact_email": school.contact_email,
        "contact_phone": school.contact_phone,
    }
    return [
        OutgoingMessage(
            recipient=parent,
            channel=channel,
            template="guardianship_ended",
            context=context,
            # A school name too long for two texts: the text names it shorter.
            shorter_contexts=[{**context, "school_name": ascii_only(context["school_name"])[:40]}],
            idempotency_key=(
                f"guardianship-ended:{guardianship.pk}:{guardianship.ended_at.timestamp()}"
            ),
            kind=Message.Kind.SERVICE,
            reference=f"guardianship:{guardianship.pk}",
        )
    ]


@transaction.atomic
def guardianship_end(*, guardianship: Guardianship, actor: User) -> Guardianship:
    """End a parent's link to a pupil: the parent no longer sees the child, and is
    told by a service message (if they had joined and so could see the child).
    Nothing the family recorded is deleted."""
    locked = (
        Guardianship.objects.select_for_update(of=("self",))
        .select_related("parent", "pupil__school")
        .filter(pk=guardianship.pk)
        .first()
    )
    if locked is None or locked.ended_at is not None:
        raise PupilChangeError("This parent's link has already been removed.")
    had_joined = locked.confirmed_at is not None
    locked.ended_at = timezone.now()
    locked.save(update_fields=["ended_at"])
    audit_record(
        actor=actor,
        action="guardianship.end",
        subject=locked,
        school=locked.pupil.school,
        changes={"pupil": locked.pupil_id, "parent": locked.parent_id, "had_joined": had_joined},
    )
    if had_joined:
        messages_queue(messages=_ended_message(locked, locked.pupil))
    guardianship.ended_at = locked.ended_at
    return locked


@transaction.atomic
def pupil_mark_left(*, pupil: Pupil, actor: User) -> Pupil:
    """Mark a pupil as having left the school, as a roster import does for a pupil
    missing from the file (``pupils_remove``): teachers no longer see the child;
    parents still do, keep what they did together and are told. Nothing is deleted."""
    locked = Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    if locked is None or locked.removed_by_school_at is not None:
        raise PupilChangeError("This pupil is already marked as having left.")
    pupils_remove(school=pupil.school, pupil_ids=[locked.pk], actor=actor, reason=Reason.BY_HAND)
    pupil.removed_by_school_at = (
        Pupil.objects.filter(pk=locked.pk).values_list("removed_by_school_at", flat=True).get()
    )
    return pupil
