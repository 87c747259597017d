"""Proving a claim to an invitation with a one-time code sent to its contact.

A forwarded link alone never links a child to another account: when the
signed-in account's email and mobile both differ from the invitation's, or a
new parent registers through an invitation that holds only a mobile, a six-digit
code goes to every email and mobile the invitation holds, and only that code,
typed back within ``ClaimCode.VALID_FOR``, lets the claim go on.

Wrong codes are counted per link, whoever types them: after ``ClaimCode.MAX_TRIES``
the link takes no more codes (and sends none), and the school sends the
invitation again. Only the newest code sent for a claimant works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from accounts.access import requires_two_factor
from accounts.models import User
from accounts.names import ascii_only, names_joined
from audit.services import audit_record
from invitations.errors import (
    ClaimCodeExpiredError,
    ClaimCodeLockedError,
    ClaimCodeUnreachableError,
    InvitationNotUsableError,
    StaffAccountError,
    WrongClaimCodeError,
)
from invitations.models import ClaimCode, Invitation
from invitations.tokens import (
    claim_code_digest,
    claim_code_matches,
    claim_code_message_key,
    claim_code_reference,
    new_claim_code,
)
from notifications.models import Message
from notifications.policy import channel_available
from notifications.services import OutgoingMessage, messages_queue, recipient_may_receive

CLAIM_CODE_TEMPLATE = "invitation_code"
Result = TypeVar("Result")


def _link_codes(invitation: Invitation) -> QuerySet[ClaimCode]:
    """The codes sent for the invitation's current link."""
    return ClaimCode.objects.filter(invitation=invitation, link_hash=invitation.token_hash)


def _addresses(invitation: Invitation) -> list[tuple[str, str]]:
    """Every contact detail the invitation holds, whatever channels it was sent by
    (no mobile while SMS is disabled)."""
    addresses = [
        (Message.Channel.EMAIL, invitation.email),
        (Message.Channel.SMS, invitation.mobile),
    ]
    return [
        (channel, address)
        for channel, address in addresses
        if address and channel_available(channel)
    ]


def _locked_invitation(invitation: Invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "parent")
        .get(pk=invitation.pk)
    )
    if not invitation.is_usable:
        raise InvitationNotUsableError("This invitation was used, revoked or has expired.")
    return invitation


def _messages(invitation: Invitation, claim: ClaimCode, code: str) -> list[OutgoingMessage]:
    children = names_joined(
        [pupil.first_name for pupil in invitation.pupils.order_by("first_name", "pk")]
    )
    minutes = int(ClaimCode.VALID_FOR.total_seconds() // 60)
    context = {
        "school_name": invitation.school.name,
        "children": children or "your child",
        "contact_name": invitation.contact_name,
        "code": code,
        "minutes": minutes,
    }
    shorter = ({**context, "school_name": ascii_only(invitation.school.name)[:60]},)
    return [
        OutgoingMessage(
            recipient=invitation.parent,
            to_address=address,
            channel=channel,
            kind=Message.Kind.SERVICE,
            template=CLAIM_CODE_TEMPLATE,
            context=context,
            shorter_contexts=shorter if channel == Message.Channel.SMS else (),
            idempotency_key=claim_code_message_key(claim.pk, channel),
            reference=claim_code_reference(invitation.pk),
        )
        for channel, address in _addresses(invitation)
    ]


@transaction.atomic
def claim_code_send(*, invitation: Invitation, user: User | None, actor: User | None) -> ClaimCode:
    """Send a new one-time code to every email and mobile ``invitation`` holds, for
    ``user`` (the signed-in account claiming it; None for a new parent registering).
    Earlier codes for the same claimant stop working.

    Raises InvitationNotUsableError, StaffAccountError, ClaimCodeLockedError (too
    many wrong codes or codes sent for this link) and ClaimCodeUnreachableError
    (no contact detail, or the invited account may receive nothing).
    """
    invitation = _locked_invitation(invitation)
    if user is not None and requires_two_factor(user):
        raise StaffAccountError("Staff accounts cannot accept a parent's invitation.")
    so_far = _link_codes(invitation).aggregate(tries=Sum("attempts"), sends=Count("pk"))
    if (so_far["tries"] or 0) >= ClaimCode.MAX_TRIES or so_far["sends"] >= ClaimCode.MAX_SENDS:
        raise ClaimCodeLockedError("No more codes for this link: the school can send it again.")
    addresses = _addresses(invitation)
    if not addresses or not recipient_may_receive(
        recipient=invitation.parent, kind=Message.Kind.SERVICE
    ):
        raise ClaimCodeUnreachableError("The invitation holds no contact a code can reach.")
    now = timezone.now()
    _link_codes(invitation).filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = new_claim_code()
    claim = ClaimCode.objects.create(
        invitation=invitation,
        user=user,
        link_hash=invitation.token_hash,
        code_hash=claim_code_digest(code, link_hash=invitation.token_hash),
        created_at=now,
        expires_at=now + ClaimCode.VALID_FOR,
    )
    messages_queue(messages=_messages(invitation, claim, code))
    audit_record(
        actor=actor,
        action="invitation.claim_code_sent",
        subject=invitation,
        changes={
            "account": user.pk if user is not None else None,
            "invited_account": invitation.parent_id,
            "channels": [channel for channel, _ in addresses],
            "claim_code": claim.pk,
        },
    )
    return claim


def claim_code_use(
    *,
    invitation: Invitation,
    user: User | None,
    code: str,
    actor: User | None,
    then: Callable[[], Result],
) -> Result:
    """Check ``code`` against the newest code sent for ``user``'s claim and, when it
    is right, mark it used and return ``then()``, all in one transaction (so a
    failure in ``then`` leaves the code unused).

    A wrong code is counted and recorded, and that is committed before
    WrongClaimCodeError is raised. Raises ClaimCodeExpiredError when no code is
    waiting, ClaimCodeLockedError when the link takes no more tries, and
    InvitationNotUsableError.
    """
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        codes = _link_codes(invitation)
        tries = codes.aggregate(tries=Sum("attempts"))["tries"] or 0
        if tries >= ClaimCode.MAX_TRIES:
            raise ClaimCodeLockedError("Too many wrong codes: the school can send it again.")
        now = timezone.now()
        claim = (
            codes.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if claim is None:
            raise ClaimCodeExpiredError("No code is waiting: send a new one.")
        typed = "".join((code or "").split())
        if claim_code_matches(typed, link_hash=claim.link_hash, digest=claim.code_hash):
            claim.used_at = now
            claim.save(update_fields=["used_at"])
            return then()
        claim.attempts += 1
        claim.save(update_fields=["attempts"])
        tries_left = max(ClaimCode.MAX_TRIES - tries - 1, 0)
        audit_record(
            actor=actor,
            action="invitation.claim_code_refused",
            subject=invitation,
            changes={
                "account": user.pk if user is not None else None,
                "claim_code": claim.pk,
                "tries_left": tries_left,
            },
        )
    raise WrongClaimCodeError("That is not the code we sent.", tries_left=tries_left)
