"""Writing to the message outbox, and taking back what has not gone yet.

``message_queue`` renders one message and writes it in the caller's transaction;
``messages_queue`` does the same for many, in batches. A Celery task delivers
each message once the transaction commits (``notifications.services.delivery``).
Engagement messages follow the recipient's channel preferences and quiet hours
(``notifications.policy``), both when queued and when sent. A closed or
restricted account gets nothing but legal notices (a breach affecting their data).
While SMS is disabled no SMS is written at all: it is left out like a channel the
recipient turned off.

Each message is rendered by ``notifications.services.rendering``, in the first
of its wordings that fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from notifications.models import Message
from notifications.policy import (
    channel_available,
    follows_preferences,
    held_until,
    preference_allows,
    preferences_of,
)
from notifications.services.rendering import message_render_fitting

if TYPE_CHECKING:
    from accounts.models import User

# Rows written by one INSERT in messages_queue.
QUEUE_BATCH_SIZE = 500
# Messages handed to one delivery task: one broker call per batch, not per message.
DELIVERY_BATCH_SIZE = 50


def recipient_may_receive(*, recipient: User | None, kind: str) -> bool:
    """A closed or restricted account gets no messages: restriction means the data
    is kept but not processed, messages included (docs/architecture.md).

    Except a legal notice: telling a person that their data was in a breach is a
    duty owed to them (UK GDPR article 34), and their data is still held while
    the account is closed or restricted. Withholding it would leave the people
    who asked for less processing less protected."""
    if recipient is None or kind == Message.Kind.LEGAL:
        return True
    return recipient.closed_at is None and not recipient.processing_restricted


def messages_enqueue(message_ids: Sequence[int]) -> None:
    """Hand messages to the workers, ``DELIVERY_BATCH_SIZE`` to a task.

    One broker round trip per batch instead of per message: inviting a whole school
    enqueues its thousands of messages in a few dozen calls. Each message is still
    sent under its own row lock, so a batch delivered twice sends each message once.
    """
    from notifications.tasks import messages_deliver_task

    for start in range(0, len(message_ids), DELIVERY_BATCH_SIZE):
        messages_deliver_task.delay(list(message_ids[start : start + DELIVERY_BATCH_SIZE]))


def _enqueue(message_id: int, *, eta: datetime | None = None) -> None:
    from notifications.tasks import message_deliver_task

    if eta is None:
        message_deliver_task.delay(message_id)
    else:
        message_deliver_task.apply_async((message_id,), eta=eta)


def enqueue_after_commit(messages: list[tuple[int, datetime | None]]) -> None:
    """Hand the messages, as (primary key, not before), to the delivery task once
    the caller's transaction commits; a held message's task is due when it may be sent.

    robust: a broker that is down must not undo the caller's committed change. The
    first failure ends the enqueueing (each further attempt would wait on the broker
    again); the messages stay pending and messages_requeue_stale picks them up.
    """
    if not messages:
        return

    def enqueue() -> None:
        messages_enqueue([message_id for message_id, not_before in messages if not_before is None])
        for message_id, not_before in messages:
            if not_before is not None:
                _enqueue(message_id, eta=not_before)

    transaction.on_commit(enqueue, robust=True)


def _address(*, recipient: User | None, channel: str, to_address: str | None) -> str:
    if to_address is None and recipient is not None:
        to_address = recipient.email if channel == Message.Channel.EMAIL else recipient.mobile
    if not to_address:
        raise ValueError(f"No {channel} address for this message.")
    return to_address


@transaction.atomic
def message_queue(
    *,
    recipient: User | None,
    channel: str,
    template: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    to_address: str | None = None,
    kind: str = Message.Kind.SERVICE,
    reference: str = "",
    shorter_contexts: Sequence[Mapping[str, Any]] = (),
) -> Message | None:
    """Write a message to the outbox and deliver it once the transaction commits.
    ``shorter_contexts`` are tried in turn when an SMS would not fit two segments.

    Returns the existing message for a repeated ``idempotency_key``, and None
    (writing nothing) when the recipient must not receive it, does not want an
    engagement message on this channel, or the channel is SMS and SMS is disabled.
    An engagement SMS queued during quiet hours is held until they end.
    """
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if kind not in Message.Kind.values:
        raise ValueError(f"Unknown message kind {kind!r}.")
    if not recipient_may_receive(recipient=recipient, kind=kind) or not channel_available(channel):
        return None
    if recipient is not None and follows_preferences(kind=kind):
        preference = preferences_of([recipient.pk]).get(recipient.pk)
        if not preference_allows(
            preference=preference, kind=kind, channel=channel, template=template
        ):
            return None
    to_address = _address(recipient=recipient, channel=channel, to_address=to_address)
    rendered = _render_fitting(
        OutgoingMessage(
            channel=channel,
            template=template,
            context=context,
            idempotency_key=idempotency_key,
            recipient=recipient,
            kind=kind,
            shorter_contexts=shorter_contexts,
        )
    )
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                to_address=to_address,
                channel=channel,
                kind=kind,
                template=template,
                idempotency_key=idempotency_key,
                reference=reference,
                not_before=held_until(kind=kind, channel=channel, at=timezone.now()),
                **rendered,
            )
    except IntegrityError:
        # Another transaction queued the same key first.
        return Message.objects.get(idempotency_key=idempotency_key)
    enqueue_after_commit([(message.pk, message.not_before)])
    return message


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for ``messages_queue`` to render and write.

    ``shorter_contexts`` are tried in turn when an SMS rendered from ``context``
    would need more than two segments (plainer or shorter wording, say).
    """

    channel: str
    template: str
    context: Mapping[str, Any]
    idempotency_key: str
    recipient: User | None = None
    to_address: str | None = None
    kind: str = Message.Kind.SERVICE
    reference: str = ""
    shorter_contexts: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def _render_fitting(outgoing: OutgoingMessage) -> dict[str, str]:
    return message_render_fitting(
        channel=outgoing.channel,
        template=outgoing.template,
        contexts=[outgoing.context, *outgoing.shorter_contexts],
        kind=outgoing.kind,
        recipient=outgoing.recipient,
    )


# No savepoint: the rows are written all or nothing with the caller's change, and a
# whole school's invitations cost the same few statements as one family's.
@transaction.atomic(savepoint=False)
def messages_queue(
    *, messages: Iterable[OutgoingMessage], batch_size: int = QUEUE_BATCH_SIZE
) -> list[int]:
    """Write many messages to the outbox in the caller's transaction and deliver each
    once it commits; returns the primary keys of the messages written.

    Messages are rendered and inserted ``batch_size`` at a time: two statements a
    batch, whatever the number of recipients, and a third when the batch holds
    engagement messages (the recipients' channel preferences). A message the
    recipient must not receive, or does not want on its channel, is left out, as
    is an SMS while SMS is disabled and one whose ``idempotency_key`` is already
    in the outbox (or repeated in ``messages``). An engagement SMS queued during
    quiet hours is held until they end. Raises ValueError for a message without an
    address or an SMS too long even in its shortest wording, writing nothing.
    """
    written: list[tuple[int, datetime | None]] = []
    seen: set[str] = set()
    pending = iter(messages)
    now = timezone.now()
    sms = channel_available(Message.Channel.SMS)
    while batch := list(islice(pending, batch_size)):
        receivable = []
        for outgoing in batch:
            if outgoing.kind not in Message.Kind.values:
                raise ValueError(f"Unknown message kind {outgoing.kind!r}.")
            if outgoing.idempotency_key in seen:
                continue
            seen.add(outgoing.idempotency_key)
            if outgoing.channel == Message.Channel.SMS and not sms:
                continue
            if recipient_may_receive(recipient=outgoing.recipient, kind=outgoing.kind):
                receivable.append(outgoing)
        preferences = preferences_of(
            outgoing.recipient.pk
            for outgoing in receivable
            if outgoing.recipient is not None and follows_preferences(kind=outgoing.kind)
        )
        wanted = [
            outgoing
            for outgoing in receivable
            if preference_allows(
                preference=(preferences.get(outgoing.recipient.pk) if outgoing.recipient else None),
                kind=outgoing.kind,
                channel=outgoing.channel,
                template=outgoing.template,
            )
        ]
        if not wanted:
            continue
        queued_before = set(
            Message.objects.filter(
                idempotency_key__in=[outgoing.idempotency_key for outgoing in wanted]
            ).values_list("idempotency_key", flat=True)
        )
        rows = [
            Message(
                recipient=outgoing.recipient,
                to_address=_address(
                    recipient=outgoing.recipient,
                    channel=outgoing.channel,
                    to_address=outgoing.to_address,
                ),
                channel=outgoing.channel,
                kind=outgoing.kind,
                template=outgoing.template,
                idempotency_key=outgoing.idempotency_key,
                reference=outgoing.reference,
                not_before=held_until(kind=outgoing.kind, channel=outgoing.channel, at=now),
                **_render_fitting(outgoing),
            )
            for outgoing in wanted
            if outgoing.idempotency_key not in queued_before
        ]
        if rows:
            Message.objects.bulk_create(rows)
            written.extend((row.pk, row.not_before) for row in rows)
    enqueue_after_commit(written)
    return [message_id for message_id, _ in written]


@transaction.atomic
def message_cancel_pending(*, recipient: User) -> int:
    """Cancel every message still waiting for this recipient, legal notices aside
    (they go to closed and restricted accounts too); returns how many.

    One UPDATE, so no message_status_changed: the recipient is being closed or
    restricted and what caused the messages no longer matters to them."""
    return (
        Message.objects.filter(recipient=recipient, status=Message.Status.PENDING)
        .exclude(kind=Message.Kind.LEGAL)
        .update(status=Message.Status.CANCELLED, next_attempt_at=None)
    )


def messages_cancel_pending(*, recipients: Iterable[User]) -> dict[int, int]:
    """``message_cancel_pending`` for several recipients at once: how many were
    cancelled per recipient's pk (none listed for one who had none)."""
    rows = Message.objects.filter(
        recipient__in=[recipient.pk for recipient in recipients], status=Message.Status.PENDING
    ).exclude(kind=Message.Kind.LEGAL)
    counts = dict(
        rows.order_by()
        .values("recipient")
        .annotate(number=Count("pk"))
        .values_list("recipient", "number")
    )
    if counts:
        rows.update(status=Message.Status.CANCELLED, next_attempt_at=None)
    return counts


@transaction.atomic
def messages_cancel_superseded(*, references: Iterable[str]) -> int:
    """Cancel the still-pending messages caused by ``references`` (an invitation whose
    link was replaced, say); returns how many.

    A message a worker is sending at this moment is skipped rather than waited for:
    the caller may hold locks the delivery's signal receivers need. One UPDATE, so
    no message_status_changed."""
    references = list(references)
    if not references:
        return 0
    message_ids = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(reference__in=references, status=Message.Status.PENDING)
        .values_list("pk", flat=True)
    )
    return Message.objects.filter(pk__in=message_ids, status=Message.Status.PENDING).update(
        status=Message.Status.CANCELLED, next_attempt_at=None
    )
