"""Trying again an invitation whose messages failed: the provider was down for
longer than the outbox's retries last (``settings.MESSAGE_RETRY_DELAYS``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from invitations.errors import InvitationNotUsableError
from invitations.models import Invitation
from invitations.tokens import invitation_reference, message_key_prefix
from notifications.models import Message
from notifications.services import messages_retry_failed
from schools.offboarded import offboarded_message, school_takes_new_data


@transaction.atomic
def invitation_retry(*, invitation: Invitation, actor: User) -> Invitation:
    """Send again the failed messages of a failed invitation: the same link, by the
    same channels, and the same expiry. The invitation is pending again, and its
    status follows the messages as before.

    Each failed message goes back to pending with a full round of attempts (the
    same row and idempotency key: ``messages_retry_failed``); a message that was
    sent, delivered or bounced is left alone, so no one receives the link twice.
    Raises InvitationNotUsableError, saying why, when there is nothing to retry: the
    invitation has not failed, has expired, failed with no message (no contact on
    record) or the school has left the portal. Resend issues a new link instead.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=invitation.pk)
    )
    if invitation.status != Invitation.Status.FAILED:
        raise InvitationNotUsableError(
            f"Only a failed invitation can be retried; this one is {invitation.status}."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationNotUsableError(
            "The invitation has expired, so its link no longer works: resend it instead."
        )
    if not school_takes_new_data(school_id=invitation.school_id, lock=True):
        raise InvitationNotUsableError(offboarded_message(invitation.school))
    failed = list(
        Message.objects.filter(
            reference=invitation_reference(invitation.pk),
            idempotency_key__startswith=message_key_prefix(invitation.token_hash),
            status=Message.Status.FAILED,
        ).values_list("pk", flat=True)
    )
    if not failed:
        raise InvitationNotUsableError(
            "No message of this invitation can be sent again: there was no email or "
            "mobile on record to send it to. Update the details in your MIS, import "
            "the roster again, then resend."
        )
    # Each message announces its change; invitations.receivers sets the status.
    retried = messages_retry_failed(message_ids=failed)
    invitation.refresh_from_db(fields=["status"])
    audit_record(
        actor=actor,
        action="invitation.retry",
        subject=invitation,
        changes={"messages": retried, "status": [Invitation.Status.FAILED, invitation.status]},
    )
    return invitation
