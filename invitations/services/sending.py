"""Invitations: a school asks the parents it imported to join.

A token is random and only its SHA-256 is stored, so a database copy holds no
usable link. Invitations and their messages are written in one transaction, in
batches: inviting a whole school costs the same number of queries as one pupil.

Each message an invitation sends carries the reference ``invitation:<pk>`` and an
idempotency key naming the token it carries. When a message's status changes,
``invitation_status_follow`` (through invitations.receivers) sets the invitation's
status from the messages carrying its current link.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone

from accounts.access import requires_two_factor
from accounts.lookup import normalise_email
from accounts.models import User
from consent.models import ConsentRecord, Method, PrivacyNotice, Purpose
from consent.services import consent_grant
from invitations.models import Invitation
from notifications.models import Message
from notifications.services import (
    OutgoingMessage,
    messages_cancel_superseded,
    messages_queue,
    recipient_may_receive,
)
from schools.models import Guardianship, Pupil, School

INVITATION_TEMPLATE = "invitation"
REMINDER_TEMPLATE = "invitation_reminder"
REFERENCE_PREFIX = "invitation:"
OPTIONAL_PURPOSES = frozenset({Purpose.MEDIA_PROMOTION, Purpose.MARKETING_EMAIL})
BATCH_SIZE = 500
INVITED_PARENT_FIELDS = (
    "parent__first_name",
    "parent__last_name",
    "parent__email",
    "parent__mobile",
    "parent__closed_at",
    "parent__processing_restricted",
)
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


class InvitationNotUsableError(Exception):
    """The invitation was used, revoked or has expired."""


class ConsentRequiredError(Exception):
    """The parent did not agree to the platform's processing."""


class StaffAccountError(Exception):
    """A staff account cannot take children: a parent who also works at a school
    joins with a separate parent account."""


class AccountInUseError(Exception):
    """The invited account is already in use: its owner signs in to accept."""


class EmailTakenError(Exception):
    """Another account already uses this email address."""


class AnotherAccountError(Exception):
    """The invitation is addressed to an account someone already uses: only its
    owner may accept it, not whoever else is signed in."""


def invitation_valid_for() -> timedelta:
    return settings.INVITATION_VALID_FOR


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, token_digest(token)


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/invitations/{token}/"


def invitation_reference(invitation_id: int) -> str:
    """The ``Message.reference`` of the messages an invitation sends."""
    return f"{REFERENCE_PREFIX}{invitation_id}"


def invitation_id_from_reference(reference: str) -> int | None:
    """The invitation a ``Message.reference`` names, or None for anything else."""
    if not reference.startswith(REFERENCE_PREFIX):
        return None
    number = reference.removeprefix(REFERENCE_PREFIX)
    return int(number) if number.isdigit() else None


def _message_key(token_hash: str, channel: str) -> str:
    """Idempotency key of the message carrying one link on one channel: the link,
    not the invitation, so a resend or reminder (a new link) is a new message."""
    return f"{_message_key_prefix(token_hash)}{channel}"


def _message_key_prefix(token_hash: str) -> str:
    return f"invitation:{token_hash}:"


def _names(first_names: list[str]) -> str:
    names = [name for name in first_names if name] or ["your child"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _addresses(invitation: Invitation) -> list[tuple[str, str]]:
    """(channel, address) for each channel the invitation uses that has a contact detail."""
    addresses = []
    if invitation.channels in (Invitation.Channels.EMAIL, Invitation.Channels.BOTH):
        addresses.append((Message.Channel.EMAIL, invitation.email))
    if invitation.channels in (Invitation.Channels.SMS, Invitation.Channels.BOTH):
        addresses.append((Message.Channel.SMS, invitation.mobile))
    return [(channel, address) for channel, address in addresses if address]


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
        "children": _names(child_names),
        "contact_name": invitation.contact_name,
        "link": invitation_link(token),
        "expires_on": _date(invitation.expires_at),
        "sent_on": _date(invitation.sent_at) if invitation.sent_at else "",
    }
    shorter = (
        {
            **context,
            "school_name": _ascii(context["school_name"])[:60],
            "children": _ascii(context["children"])[:60] or "your child",
        },
        {**context, "school_name": _ascii(context["school_name"])[:40], "short": True},
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
            idempotency_key=_message_key(invitation.token_hash, channel),
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
    live invitation. Messages are queued in the same transaction."""
    if channels not in Invitation.Channels.values:
        raise ValueError(f"Unknown channels {channels!r}.")
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
        token, digest = _new_token()
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
    return invitations


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation whose link carries ``token``, whatever its state; None if unknown.
    Callers check ``is_usable``."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("school", "parent")
        .filter(token_hash=token_digest(token))
        .first()
    )


def _child_names(invitation: Invitation) -> list[str]:
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
    token, digest = _new_token()
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
    if reachable:
        _queue([(invitation, token, _child_names(invitation))], template=INVITATION_TEMPLATE)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Stop the invitation's link working; an accepted invitation stays accepted."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationNotUsableError("An accepted invitation cannot be revoked.")
    if invitation.status != Invitation.Status.REVOKED:
        invitation.status = Invitation.Status.REVOKED
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["status", "revoked_at"])
    return invitation


def _attach_children(*, invitation: Invitation, user: User, now) -> None:
    """Confirm the invited parent's guardianships of the invitation's pupils for
    ``user``, moving them onto ``user``'s account when another account accepts."""
    pupil_ids = list(invitation.pupils.values_list("pk", flat=True))
    source = {}
    if invitation.parent_id is not None:
        source = {
            g.pupil_id: g
            for g in Guardianship.objects.select_for_update().filter(
                parent_id=invitation.parent_id, pupil_id__in=pupil_ids, ended_at__isnull=True
            )
        }
    if invitation.parent_id == user.pk:
        Guardianship.objects.filter(pk__in=[g.pk for g in source.values()]).filter(
            confirmed_at__isnull=True
        ).update(confirmed_at=now)
        return
    own = {
        g.pupil_id: g
        for g in Guardianship.objects.select_for_update().filter(
            parent=user, pupil_id__in=pupil_ids
        )
    }
    to_update: list[Guardianship] = []
    to_create: list[Guardianship] = []
    to_delete: list[int] = []
    for pupil_id in pupil_ids:
        imported = source.get(pupil_id)
        existing = own.get(pupil_id)
        if existing is not None:
            if imported is not None:
                # Merge onto the user's own row; (parent, pupil) stays unique.
                existing.relationship = existing.relationship or imported.relationship
                existing.parental_responsibility = (
                    existing.parental_responsibility or imported.parental_responsibility
                )
                existing.ended_at = None
                to_delete.append(imported.pk)
            elif existing.ended_at is not None:
                continue
            existing.confirmed_at = existing.confirmed_at or now
            to_update.append(existing)
        elif imported is not None:
            imported.parent = user
            imported.confirmed_at = imported.confirmed_at or now
            to_update.append(imported)
        elif invitation.parent_id is None:
            to_create.append(Guardianship(parent=user, pupil_id=pupil_id, confirmed_at=now))
    if to_delete:
        Guardianship.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Guardianship.objects.bulk_update(
            to_update,
            ["parent", "confirmed_at", "ended_at", "relationship", "parental_responsibility"],
        )
    if to_create:
        Guardianship.objects.bulk_create(to_create)


def account_in_use(account: User) -> bool:
    """Someone owns the account: it was activated or has a password. An imported
    account is neither until its parent joins."""
    return account.is_active or account.has_usable_password()


def _leftover_account_delete(*, account_id: int | None, invitation: Invitation, kept: User) -> bool:
    """Delete the imported account an invitation was addressed to once another
    account has taken its children, if nothing is left on it: no guardianship, never
    signed in or activated, no consent record, no staff role, no other live
    invitation. Returns whether it was deleted."""
    if account_id is None or account_id == kept.pk:
        return False
    account = User.objects.select_for_update().filter(pk=account_id).first()
    if account is None or account_in_use(account):
        return False
    if account.last_login is not None or account.closed_at is not None:
        return False
    other_live_invitations = Invitation.objects.filter(
        parent=account, status__in=Invitation.LIVE_STATUSES, expires_at__gt=timezone.now()
    ).exclude(pk=invitation.pk)
    if (
        Guardianship.objects.filter(parent=account).exists()
        or account.memberships.exists()
        or ConsentRecord.objects.filter(user=account).exists()
        or other_live_invitations.exists()
    ):
        return False
    account.delete()
    return True


@transaction.atomic
def invitation_register(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    email: str | None,
    consents: Mapping[str, str],
) -> User:
    """A new parent joins through ``invitation``: the imported account it is
    addressed to gets their name and password, and the email they typed when the
    school had none (login is by email); it is activated and accepts the
    invitation. All or nothing.

    Raises InvitationNotUsableError (also for a closed account), AccountInUseError
    when the invited account already has an owner (they sign in instead),
    EmailTakenError, and whatever invitation_accept raises. The caller validates
    the password.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationNotUsableError("This invitation was used, revoked or has expired.")
    if invitation.parent_id is None:
        account = User(is_active=False)
    else:
        account = User.objects.select_for_update().get(pk=invitation.parent_id)
        if account.closed_at is not None:
            raise InvitationNotUsableError("The invited account was closed.")
        if account_in_use(account):
            raise AccountInUseError("The invited account is in use: sign in to accept.")
    address = account.email or normalise_email(email)
    if not address:
        raise ValueError("An email address is required to sign in.")
    account.email = address
    account.first_name = first_name.strip()
    account.last_name = last_name.strip()
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as error:  # user_email_ci_unique: the email has an account
        raise EmailTakenError("Another account uses this email address.") from error
    invitation_accept(invitation=invitation, user=account, consents=consents, actor=account)
    return account


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, consents: Mapping[str, str], actor: User
) -> Invitation:
    """Accept a usable invitation for ``user``: confirm (or move onto ``user``) the
    guardianships of its pupils, activate the account and record consent. When
    another account accepts, the imported account the invitation was addressed to
    is deleted if nothing is left on it (one account across children and schools).

    ``consents`` maps each purpose the parent ticked to the exact wording shown;
    ``platform`` is required. Single use: a second call raises InvitationNotUsableError.
    A staff account is refused (StaffAccountError), and so is anyone but the owner
    of an invited account already in use (AnotherAccountError).
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationNotUsableError("This invitation was used, revoked or has expired.")
    if requires_two_factor(user):
        raise StaffAccountError("Staff accounts cannot accept a parent's invitation.")
    if invitation.parent_id not in (None, user.pk) and account_in_use(invitation.parent):
        raise AnotherAccountError("This invitation is for another account.")
    if not consents.get(Purpose.PLATFORM):
        raise ConsentRequiredError("Agreeing to the platform's processing is required.")
    unknown = set(consents) - OPTIONAL_PURPOSES - {Purpose.PLATFORM}
    if unknown:
        raise ValueError(f"Consent purposes not offered on an invitation: {sorted(unknown)}")
    now = timezone.now()
    _attach_children(invitation=invitation, user=user, now=now)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    notice = PrivacyNotice.current()
    for purpose in [Purpose.PLATFORM, *sorted(set(consents) & OPTIONAL_PURPOSES)]:
        consent_grant(
            user=user,
            purpose=purpose,
            wording=consents[purpose],
            method=Method.REGISTRATION,
            notice=notice,
        )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    if _leftover_account_delete(account_id=invitation.parent_id, invitation=invitation, kept=user):
        invitation.parent = None
    return invitation


@transaction.atomic
def invitations_expire() -> int:
    """Mark every live invitation past its expiry as expired; returns how many."""
    return Invitation.objects.filter(
        status__in=Invitation.LIVE_STATUSES, expires_at__lte=timezone.now()
    ).update(status=Invitation.Status.EXPIRED)


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
            idempotency_key__startswith=_message_key_prefix(invitation.token_hash),
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
        token, invitation.token_hash = _new_token()
        invitation.status = Invitation.Status.PENDING
        invitation.attempts += 1
        pending.append((invitation, token, _child_names(invitation)))
    Invitation.objects.bulk_update(
        invitations, ["reminder_sent_at", "token_hash", "status", "attempts"]
    )
    messages_cancel_superseded(
        references=[invitation_reference(invitation.pk) for invitation, _, _ in pending]
    )
    _queue(pending, template=REMINDER_TEMPLATE)
    return len(pending), invitations[-1].pk
