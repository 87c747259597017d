"""Sending invitations: a school asks the parents it imported to join.

Invitations and their messages are written in one transaction, in batches:
inviting a whole school costs the same number of queries as one pupil. A resend
or the one automatic reminder issues a new link (only a token's hash is stored,
so an old link cannot be sent again), and the messages with the old link that
are still waiting are cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone

from accounts.models import User
from accounts.names import ascii_only, names_joined
from audit.services import audit_record
from invitations.errors import InvitationNotUsableError
from invitations.models import Invitation
from invitations.tokens import (
    invitation_link,
    invitation_reference,
    invitation_valid_for,
    message_key,
    new_token,
)
from notifications.models import Message
from notifications.policy import channel_available
from notifications.services import (
    OutgoingMessage,
    messages_cancel_superseded,
    messages_queue,
    recipient_may_receive,
)
from schools.models import Guardianship, Pupil, School
from schools.offboarded import offboarded_message, refuse_if_offboarded, school_takes_new_data

INVITATION_TEMPLATE = "invitation"
REMINDER_TEMPLATE = "invitation_reminder"
BATCH_SIZE = 500
INVITED_PARENT_FIELDS = (
    "parent__first_name",
    "parent__last_name",
    "parent__email",
    "parent__mobile",
    "parent__closed_at",
    "parent__processing_restricted",
)


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y")


def _addresses(invitation: Invitation) -> list[tuple[str, str]]:
    """(channel, address) for each channel the invitation uses that has a contact
    detail; none by SMS while SMS is disabled, so a parent known only by mobile is
    unreachable (the invitation fails at once rather than waiting for nothing)."""
    addresses = []
    if invitation.channels in (Invitation.Channels.EMAIL, Invitation.Channels.BOTH):
        addresses.append((Message.Channel.EMAIL, invitation.email))
    if invitation.channels in (Invitation.Channels.SMS, Invitation.Channels.BOTH):
        addresses.append((Message.Channel.SMS, invitation.mobile))
    return [
        (channel, address)
        for channel, address in addresses
        if address and channel_available(channel)
    ]


def _reachable(invitation: Invitation, recipient: User | None) -> bool:
    return bool(_addresses(invitation)) and recipient_may_receive(
        recipient=recipient, kind=Message.Kind.SERVICE
    )


def _messages_for(
    invitation: Invitation, *, token: str, child_names: list[str], template: str
) -> list[OutgoingMessage]:
    """The outbox messages carrying one invitation's link, one per channel with a
    contact detail. An SMS falls back to plainer, shorter wording to fit two segments."""
    context = {
        "school_name": invitation.school.name,
        "children": names_joined(child_names),
        "contact_name": invitation.contact_name,
        "link": invitation_link(token),
        "expires_on": _date(invitation.expires_at),
        "sent_on": _date(invitation.sent_at) if invitation.sent_at else "",
    }
    shorter = (
        {
            **context,
            "school_name": ascii_only(context["school_name"])[:60],
            "children": ascii_only(context["children"])[:60] or "your child",
        },
        {**context, "school_name": ascii_only(context["school_name"])[:40], "short": True},
    )
    return [
        OutgoingMessage(
            recipient=invitation.parent,
            to_address=address,
            channel=channel,
            kind=Message.Kind.SERVICE,
            template=template,
            context=context,
            shorter_contexts=shorter if channel == Message.Channel.SMS else (),
            idempotency_key=message_key(invitation.token_hash, channel),
            reference=invitation_reference(invitation.pk),
        )
        for channel, address in _addresses(invitation)
    ]


def _queue(pending: Iterable[tuple[Invitation, str, list[str]]], *, template: str) -> None:
    """Queue the messages of saved invitations, each with its freshly issued token,
    in batches; delivery starts once the transaction commits."""

    def messages() -> Iterator[OutgoingMessage]:
        for invitation, token, child_names in pending:
            yield from _messages_for(
                invitation, token=token, child_names=child_names, template=template
            )

    messages_queue(messages=messages(), batch_size=BATCH_SIZE)


@transaction.atomic
def invitations_create(
    *, school: School, pupils: Iterable[Pupil], channels: str, actor: User
) -> list[Invitation]:
    """Invite every unconfirmed parent of ``pupils`` at ``school``: one invitation per
    parent naming all their children there, skipping parents already holding a
    live invitation. Messages are queued in the same transaction. Raises
    SchoolOffboardedError for a school that has left the portal."""
    if channels not in Invitation.Channels.values:
        raise ValueError(f"Unknown channels {channels!r}.")
    # Locked: offboarding, which revokes the live invitations, waits for these.
    refuse_if_offboarded(school, lock=True)
    if isinstance(pupils, QuerySet):
        pupil_ids = set(pupils.values_list("pk", flat=True))  # ids only, no pupil objects
    else:
        pupil_ids = {pupil.pk for pupil in pupils}
    if not pupil_ids:
        return []
    now = timezone.now()
    guardianships = (
        Guardianship.objects.filter(
            pupil_id__in=pupil_ids,
            pupil__school=school,
            pupil__removed_by_school_at__isnull=True,
            pupil__anonymised_at__isnull=True,
            confirmed_at__isnull=True,
            ended_at__isnull=True,
        )
        .select_related("parent", "pupil")
        # Only what an invitation and its messages use: building thousands of whole
        # users and pupils is a good part of inviting a school.
        .only(*INVITED_PARENT_FIELDS, "pupil__first_name")
        .order_by("parent_id", "pupil__first_name", "pupil_id")
    )
    by_parent: dict[int, tuple[User, list[Pupil]]] = {}
    for guardianship in guardianships:
        parent = guardianship.parent
        if parent.closed_at is not None or parent.processing_restricted:
            continue
        by_parent.setdefault(parent.pk, (parent, []))[1].append(guardianship.pupil)
    if not by_parent:
        return []
    already_invited = set(
        Invitation.objects.filter(
            school=school,
            parent_id__in=by_parent.keys(),
            status__in=Invitation.LIVE_STATUSES,
            expires_at__gt=now,
        ).values_list("parent_id", flat=True)
    )
    expires_at = now + invitation_valid_for()
    invitations: list[Invitation] = []
    tokens: list[str] = []
    for parent_id, (parent, _) in by_parent.items():
        if parent_id in already_invited:
            continue
        token, digest = new_token()
        invitation = Invitation(
            school=school,
            parent=parent,
            contact_name=parent.full_name,
            email=parent.email or "",
            mobile=parent.mobile,
            channels=channels,
            token_hash=digest,
            expires_at=expires_at,
            created_by=actor,
            created_at=now,
        )
        if _reachable(invitation, parent):
            invitation.attempts = 1
        else:
            invitation.status = Invitation.Status.FAILED
        invitations.append(invitation)
        tokens.append(token)
    if not invitations:
        return []
    # Saved first: each message names its invitation's primary key.
    Invitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
    Through = Invitation.pupils.through
    Through.objects.bulk_create(
        [
            Through(invitation_id=invitation.pk, pupil_id=child.pk)
            for invitation in invitations
            for child in by_parent[invitation.parent_id][1]
        ],
        batch_size=BATCH_SIZE,
    )
    _queue(
        (
            (invitation, token, [child.first_name for child in by_parent[invitation.parent_id][1]])
            for invitation, token in zip(invitations, tokens, strict=True)
            if invitation.status != Invitation.Status.FAILED
        ),
        template=INVITATION_TEMPLATE,
    )
    # One entry for the whole invitation (a school at once is thousands of families).
    audit_record(
        actor=actor,
        action="invitation.create",
        subject=school,
        changes={
            "invited": len(invitations),
            "unreachable": sum(i.status == Invitation.Status.FAILED for i in invitations),
            "channels": channels,
        },
    )
    return invitations


def _child_first_names(invitation: Invitation) -> list[str]:
    return [pupil.first_name for pupil in invitation.pupils.all()]


def _pupils_by_first_name() -> Prefetch:
    return Prefetch("pupils", queryset=Pupil.objects.order_by("first_name", "pk"))


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send the invitation again with a new token and expiry; the old link stops working.

    A new round: the status follows the new messages, and ``sent_at`` and the
    reminder start again from this sending. Messages with the old link that are
    still waiting are cancelled.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "parent")
        .prefetch_related(_pupils_by_first_name())
        .get(pk=invitation.pk)
    )
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise InvitationNotUsableError(f"An {invitation.status} invitation cannot be resent.")
    if not school_takes_new_data(school_id=invitation.school_id, lock=True):
        raise InvitationNotUsableError(offboarded_message(invitation.school))
    token, digest = new_token()
    invitation.token_hash = digest
    invitation.expires_at = timezone.now() + invitation_valid_for()
    invitation.sent_at = None
    invitation.reminder_sent_at = None
    reachable = _reachable(invitation, invitation.parent)
    if reachable:
        invitation.status = Invitation.Status.PENDING
        invitation.attempts += 1
    else:
        invitation.status = Invitation.Status.FAILED
    invitation.save(
        update_fields=[
            "token_hash",
            "expires_at",
            "status",
            "attempts",
            "sent_at",
            "reminder_sent_at",
        ]
    )
    messages_cancel_superseded(references=[invitation_reference(invitation.pk)])
    audit_record(
        actor=actor,
        action="invitation.resend",
        subject=invitation,
        changes={"status": invitation.status, "attempts": invitation.attempts},
    )
    if reachable:
        _queue([(invitation, token, _child_first_names(invitation))], template=INVITATION_TEMPLATE)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Stop the invitation's link working; an accepted invitation stays accepted."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationNotUsableError("An accepted invitation cannot be revoked.")
    if invitation.status != Invitation.Status.REVOKED:
        previous = invitation.status
        invitation.status = Invitation.Status.REVOKED
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["status", "revoked_at"])
        audit_record(
            actor=actor,
            action="invitation.revoke",
            subject=invitation,
            changes={"status": [previous, invitation.status]},
        )
    return invitation


@transaction.atomic
def invitations_expire() -> int:
    """Mark every live invitation past its expiry as expired; returns how many."""
    return Invitation.objects.filter(
        status__in=Invitation.LIVE_STATUSES, expires_at__lte=timezone.now()
    ).update(status=Invitation.Status.EXPIRED)


def invitations_remind_due(*, batch_size: int = BATCH_SIZE) -> int:
    """Send the one automatic reminder for every invitation still live and not
    accepted ``INVITATION_REMIND_AFTER`` (7 days) after it was sent; returns how many.

    Only the hash of a token is stored, so the reminder cannot repeat the first
    link: it carries a fresh token for the same invitation, and the first link
    stops working. The expiry stays as it was (the reminder does not extend the
    14 days), as does ``sent_at``; ``reminder_sent_at`` marks it done, so no
    invitation is reminded twice. A resend starts a new round, with its own reminder.

    Works ``batch_size`` invitations at a time, each batch in its own transaction
    with a fixed number of queries; rows another run has locked are skipped.
    """
    now = timezone.now()
    cutoff = now - settings.INVITATION_REMIND_AFTER
    reminded = 0
    after_pk = 0
    while True:
        count, last_pk = _remind_batch(after_pk=after_pk, cutoff=cutoff, now=now, size=batch_size)
        reminded += count
        if last_pk is None:
            return reminded
        after_pk = last_pk


@transaction.atomic
def _remind_batch(
    *, after_pk: int, cutoff: datetime, now: datetime, size: int
) -> tuple[int, int | None]:
    """Remind up to ``size`` due invitations after ``after_pk``; returns how many were
    reminded and the last primary key looked at (None when there were none)."""
    invitations = list(
        Invitation.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("school", "parent")
        .prefetch_related(_pupils_by_first_name())
        .filter(
            pk__gt=after_pk,
            status__in=Invitation.LIVE_STATUSES,
            expires_at__gt=now,
            sent_at__lte=cutoff,
            reminder_sent_at__isnull=True,
            # A school that has left the portal sends no reminders.
            school__status=School.Status.ACTIVE,
        )
        .order_by("pk")[:size]
    )
    if not invitations:
        return 0, None
    pending = []
    for invitation in invitations:
        # Marked even when no one can be reached any more, so that it is not
        # looked at again every hour; the link it had then keeps working.
        invitation.reminder_sent_at = now
        if not _reachable(invitation, invitation.parent):
            continue
        token, invitation.token_hash = new_token()
        invitation.status = Invitation.Status.PENDING
        invitation.attempts += 1
        pending.append((invitation, token, _child_first_names(invitation)))
    Invitation.objects.bulk_update(
        invitations, ["reminder_sent_at", "token_hash", "status", "attempts"]
    )
    messages_cancel_superseded(
        references=[invitation_reference(invitation.pk) for invitation, _, _ in pending]
    )
    _queue(pending, template=REMINDER_TEMPLATE)
    return len(pending), invitations[-1].pk
