"""An invitation's status follows its messages (through ``invitations.receivers``):
sent, delivered, bounced or failed, from the messages carrying its current link."""

from __future__ import annotations

from django.db import transaction

from invitations.models import Invitation
from invitations.tokens import invitation_reference, message_key_prefix
from notifications.models import Message

# The statuses an invitation takes from its messages, best first: one delivered
# message makes the invitation delivered whatever became of the others.
STATUS_FROM_MESSAGES = (
    (Message.Status.DELIVERED, Invitation.Status.DELIVERED),
    (Message.Status.SENT, Invitation.Status.SENT),
    (Message.Status.PENDING, Invitation.Status.PENDING),
    (Message.Status.BOUNCED, Invitation.Status.BOUNCED),
    (Message.Status.FAILED, Invitation.Status.FAILED),
)
# Accepted, expired and revoked are the school's or the parent's doing: messages
# never change them.
STATUSES_MESSAGES_SET = frozenset(invitation for _, invitation in STATUS_FROM_MESSAGES)


@transaction.atomic
def invitation_status_follow(*, invitation_id: int) -> Invitation | None:
    """Set an invitation's status from the messages carrying its current link: the
    best of delivered, sent, pending, bounced, failed (cancelled ones do not count),
    and record when it was first sent. Accepted, expired and revoked invitations
    keep their status. Returns the invitation, None if it has none to follow.

    The invitation row is locked first, so that two messages (email and SMS)
    changing at once are counted one after the other, each seeing the other.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation_id, status__in=STATUSES_MESSAGES_SET)
        .first()
    )
    if invitation is None:
        return None
    current = list(
        Message.objects.filter(
            reference=invitation_reference(invitation.pk),
            idempotency_key__startswith=message_key_prefix(invitation.token_hash),
        )
        .exclude(status=Message.Status.CANCELLED)
        .values_list("status", "sent_at")
    )
    statuses = {status for status, _ in current}
    changed = []
    for message_status, invitation_status in STATUS_FROM_MESSAGES:
        if message_status in statuses:
            if invitation.status != invitation_status:
                invitation.status = invitation_status
                changed.append("status")
            break
    sent_times = [sent_at for _, sent_at in current if sent_at is not None]
    if invitation.sent_at is None and sent_times:
        invitation.sent_at = min(sent_times)
        changed.append("sent_at")
    if changed:
        invitation.save(update_fields=changed)
    return invitation
