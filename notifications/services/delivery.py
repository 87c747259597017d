"""Delivering the outbox's messages, and what providers report back.

``message_deliver`` sends a message only while it is still pending, under its row
lock, so running it twice sends once. A transient failure (the provider is down,
the SMTP server times out) is tried again at ``next_attempt_at``, after each delay
of ``settings.MESSAGE_RETRY_DELAYS`` in turn: by default for 34 hours, so an
outage of a day loses nothing. ``message_receipt_record`` records what a provider
later reports (delivered, bounced, failed). ``messages_requeue_stale`` hands the
workers again what a lost broker or worker left pending, retries whose task was
lost included, and says how many messages have failed. ``messages_retry_failed``
gives failed messages a new round of attempts (staff ask for it). Every status
change is announced with ``notifications.signals.message_status_changed``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.errors import DeliveryError, TransientDeliveryError
from notifications.models import Message, NotificationPreference
from notifications.policy import held_until, preference_allows
from notifications.services.outbox import (
    enqueue_after_commit,
    messages_enqueue,
    recipient_may_receive,
)
from notifications.signals import message_status_changed
from notifications.sms import get_sms_backend
from notifications.stop_links import Scope, stop_url

logger = logging.getLogger(__name__)

# A task may start a moment before its ETA by the database's clock: still due.
EARLY_GRACE = timedelta(seconds=5)
# messages_requeue_stale reports the messages that failed within this long.
FAILED_REPORT_WINDOW = timedelta(hours=24)

# What a provider's receipt may report, and the states it may move a message from.
RECEIPT_STATUSES = frozenset(
    {Message.Status.DELIVERED, Message.Status.BOUNCED, Message.Status.FAILED}
)
RECEIPT_APPLIES_TO = frozenset({Message.Status.PENDING, Message.Status.SENT})


def _announce(message: Message, previous_status: str) -> None:
    """Send message_status_changed inside the caller's transaction.

    A receiver that fails is logged and its writes undone (a savepoint), but it
    cannot undo the status change: the provider has already acted on the message.
    """
    if message.status == previous_status:
        return
    try:
        with transaction.atomic():
            message_status_changed.send(
                sender=Message, message=message, previous_status=previous_status
            )
    except Exception:
        logger.exception("A receiver of message_status_changed failed for message %s", message.pk)


def _message_id_domain() -> str:
    """The domain of ``SITE_URL``, on which every email's Message-ID is made: a
    domain the portal answers for, as RFC 5322 asks, not a made-up one."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _headers(message: Message, provider_id: str) -> dict[str, str]:
    """An engagement email can be stopped from the mail client in one click (RFC
    8058): ``List-Unsubscribe`` gives the link that stops every engagement email,
    and ``List-Unsubscribe-Post`` says a POST to it does so with no page to visit.
    Service and legal messages have none: they cannot be turned off."""
    headers = {"Message-ID": provider_id}
    if message.kind == Message.Kind.ENGAGEMENT and message.recipient_id is not None:
        link = stop_url(user_id=message.recipient_id, scope=Scope.EMAIL)
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _send_email(message: Message) -> str:
    provider_id = make_msgid(domain=_message_id_domain())
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers=_headers(message, provider_id),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise DeliveryError("SMTP recipient refused") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TransientDeliveryError(f"SMTP {error.smtp_code}") from error
        raise DeliveryError(f"SMTP {error.smtp_code}") from error
    except OSError as error:  # connection refused, timeouts, disconnects
        raise TransientDeliveryError(f"Email {type(error).__name__}") from error
    return provider_id


def _send_sms(message: Message) -> str:
    return get_sms_backend().send(
        to=message.to_address, body=message.body_text, reference=f"message-{message.pk}"
    )


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed attempt a message is tried again:
    the delays of ``MESSAGE_RETRY_DELAYS`` in turn, the last one repeating."""
    delays = settings.MESSAGE_RETRY_DELAYS
    return delays[min(max(attempts, 1), len(delays)) - 1]


def retry_budget() -> timedelta:
    """How long a message whose provider stays down is tried before it fails."""
    return sum(
        (retry_delay(attempts) for attempts in range(1, settings.MESSAGE_MAX_ATTEMPTS)),
        timedelta(0),
    )


def _still_wanted(message: Message) -> bool:
    recipient = message.recipient
    if not recipient_may_receive(recipient=recipient, kind=message.kind):
        return False
    if recipient is None:
        return True
    preference: NotificationPreference | None = getattr(recipient, "notification_preference", None)
    return preference_allows(
        preference=preference,
        kind=message.kind,
        channel=message.channel,
        template=message.template,
    )


def _fail(message: Message) -> None:
    message.status = Message.Status.FAILED
    message.next_attempt_at = None
    message.failed_at = timezone.now()
    # Ids and the error only: no address, name or content in the log.
    logger.error(
        "Message %s (%s, %s) failed after %s attempts: %s",
        message.pk,
        message.channel,
        message.reference or message.template,
        message.attempts,
        message.last_error,
    )


def message_deliver(*, message_id: int) -> None:
    """Send a pending message once and record the outcome.

    The row stays locked while the provider is called, so two workers given the
    same message send it once (``EMAIL_TIMEOUT`` bounds how long an SMTP server
    can hold it). A transient failure is recorded and the message left pending,
    due again at ``next_attempt_at`` (its task is scheduled then); then
    TransientDeliveryError is raised. After ``MESSAGE_MAX_ATTEMPTS`` attempts, or a
    permanent failure, the message is failed. A message whose retry is not due yet
    is left alone, so a second task for it (a lost task requeued, a broker
    delivering twice) cannot spend its attempts early.

    The rules are checked again at sending time: a message the recipient may no
    longer receive, or an engagement message on a channel they have since turned
    off, is cancelled; a held message is left pending until ``not_before`` (its
    task is due then, and messages_requeue_stale waits for it too); an engagement
    SMS due during quiet hours (a retry, say) is held until they end, its task
    scheduled again for then.
    """
    retry_error: TransientDeliveryError | None = None
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("recipient__notification_preference")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != Message.Status.PENDING:
            return
        if not _still_wanted(message):
            message.status = Message.Status.CANCELLED
            message.next_attempt_at = None
            message.save(update_fields=["status", "next_attempt_at"])
            _announce(message, Message.Status.PENDING)
            return
        now = timezone.now()
        if message.not_before is not None and message.not_before > now:
            return
        if message.next_attempt_at is not None and message.next_attempt_at > now + EARLY_GRACE:
            return
        hold = held_until(kind=message.kind, channel=message.channel, at=now)
        if hold is not None:
            message.not_before = hold
            message.save(update_fields=["not_before"])
            enqueue_after_commit([(message.pk, hold)])
            return
        message.attempts += 1
        try:
            sender = _send_email if message.channel == Message.Channel.EMAIL else _send_sms
            message.provider_id = sender(message)
        except TransientDeliveryError as error:
            message.last_error = str(error)[:200]
            if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
                _fail(message)
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
                enqueue_after_commit([(message.pk, message.next_attempt_at)])
                retry_error = error
        except DeliveryError as error:
            message.last_error = str(error)[:200]
            _fail(message)
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.next_attempt_at = None
        message.save(
            update_fields=[
                "status",
                "attempts",
                "provider_id",
                "last_error",
                "sent_at",
                "next_attempt_at",
                "failed_at",
            ]
        )
        _announce(message, Message.Status.PENDING)
    if retry_error is not None:
        raise retry_error


@transaction.atomic
def message_receipt_record(
    *, message_id: int, status: str, provider_id: str = "", detail: str = ""
) -> Message | None:
    """Record what a provider reports about a message it accepted: delivered,
    bounced (the address does not exist) or failed; returns the message, None if unknown.

    Idempotent: only a pending or sent message changes, so a repeated or late
    receipt leaves the message as it is. A receipt naming a provider id other than
    the one recorded is for another sending and is ignored too. ``detail`` (short,
    no personal data) goes into ``last_error`` for a failure.
    """
    if status not in RECEIPT_STATUSES:
        raise ValueError(f"Not a receipt status: {status!r}.")
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status not in RECEIPT_APPLIES_TO:
        return message
    if provider_id and message.provider_id and provider_id != message.provider_id:
        return message
    previous_status = message.status
    message.status = status
    message.next_attempt_at = None
    message.sent_at = message.sent_at or timezone.now()
    if status != Message.Status.DELIVERED:
        message.last_error = detail[:200]
    if status == Message.Status.FAILED:
        message.failed_at = timezone.now()
    message.save(update_fields=["status", "next_attempt_at", "sent_at", "last_error", "failed_at"])
    _announce(message, previous_status)
    return message


def messages_requeue_stale(*, older_than: timedelta | None = None) -> int:
    """Enqueue again every pending message whose task was lost; returns how many.

    A message is due when it is queued, and again at ``next_attempt_at`` when a
    transient failure scheduled a retry; its task is enqueued for that moment.
    One still pending ``older_than`` (default ``settings.MESSAGE_STALE_AFTER``)
    after it fell due lost its task with a broker or a worker, and is handed out
    again now, so a retry hours away survives a restart too. A message held until
    ``not_before`` is not stale before that long after it. Rows a worker is
    sending at this moment are skipped: they are not lost.

    Failed messages are not tried again (staff retry them, from the invitation
    tracker for invitations), but they are not forgotten either: each run logs an
    error naming how many failed in the last ``FAILED_REPORT_WINDOW``.
    """
    now = timezone.now()
    cutoff = now - (older_than or settings.MESSAGE_STALE_AFTER)
    with transaction.atomic():
        stale = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Message.Status.PENDING)
            .filter(
                Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
                | Q(next_attempt_at__lt=cutoff)
            )
            .filter(Q(not_before__isnull=True) | Q(not_before__lt=cutoff))
        )
        message_ids = list(stale.order_by("created_at").values_list("pk", flat=True))
        # Due now (not later: their task must find them due), and not stale again
        # before another ``older_than`` has passed.
        Message.objects.filter(pk__in=message_ids).update(next_attempt_at=now)
    messages_enqueue(message_ids)
    failed = Message.objects.filter(
        status=Message.Status.FAILED, failed_at__gte=now - FAILED_REPORT_WINDOW
    ).count()
    if failed:
        logger.error(
            "%s messages failed in the last %s hours and will not be tried again unless "
            "staff retry them",
            failed,
            int(FAILED_REPORT_WINDOW.total_seconds() // 3600),
        )
    return len(message_ids)


@transaction.atomic
def messages_retry_failed(*, message_ids: Iterable[int]) -> list[int]:
    """Give failed messages a new round of attempts: each goes back to pending with
    no attempts spent, and is delivered once the caller's transaction commits.
    Returns the primary keys of the messages retried; any other status is left as
    it is (a message already sent is never sent again).

    The same row, with the same idempotency key, is sent: one message per key,
    so the row lock and status check that stop a message going twice still hold.
    Each change is announced (failed to pending), so what caused the message
    follows it.
    """
    messages = list(
        Message.objects.select_for_update()
        .filter(pk__in=list(message_ids), status=Message.Status.FAILED)
        .order_by("pk")
    )
    for message in messages:
        message.status = Message.Status.PENDING
        message.attempts = 0
        message.next_attempt_at = None
        message.failed_at = None
        message.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at"])
        _announce(message, Message.Status.FAILED)
    enqueue_after_commit([(message.pk, None) for message in messages])
    return [message.pk for message in messages]
