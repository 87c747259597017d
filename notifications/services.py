"""Writes to the message outbox.

``message_queue`` renders a message and writes it in the caller's transaction; a
Celery task delivers it after commit. ``message_deliver`` sends a message only
while it is still pending, so running it twice sends once.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from accounts.models import User
from notifications.errors import DeliveryError, TransientDeliveryError
from notifications.models import Message
from notifications.sms import get_sms_backend, sms_check_length

logger = logging.getLogger(__name__)


def _render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping."""
    template = get_template(name)
    return template.template.render(Context(context, autoescape=False)).strip()


def message_render(*, channel: str, template: str, context: dict[str, Any]) -> dict[str, str]:
    """The subject and bodies of a message; ValueError if an SMS needs over two segments."""
    base = f"notifications/{template}"
    if channel == Message.Channel.EMAIL:
        return {
            "subject": " ".join(_render_text(f"{base}/subject.txt", context).split()),
            "body_text": _render_text(f"{base}/body.txt", context),
            "body_html": render_to_string(f"{base}/body.html", context),
        }
    if channel == Message.Channel.SMS:
        body = _render_text(f"{base}/sms.txt", context)
        sms_check_length(body)
        return {"subject": "", "body_text": body, "body_html": ""}
    raise ValueError(f"Unknown channel {channel!r}.")


def recipient_may_receive(*, recipient: User | None, kind: str) -> bool:
    """A closed or restricted account gets no messages at all (DESIGN §6 and §7):
    restriction means the data is kept but not processed, messages included."""
    if recipient is None:
        return True
    return recipient.closed_at is None and not recipient.processing_restricted


def _enqueue(message_id: int) -> None:
    from notifications.tasks import message_deliver_task

    message_deliver_task.delay(message_id)


@transaction.atomic
def message_queue(
    *,
    recipient: User | None,
    channel: str,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    to_address: str | None = None,
    kind: str = Message.Kind.SERVICE,
) -> Message | None:
    """Write a message to the outbox and deliver it once the transaction commits.

    Returns the existing message for a repeated ``idempotency_key``, and None
    (writing nothing) when the recipient must not receive it.
    """
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if kind not in Message.Kind.values:
        raise ValueError(f"Unknown message kind {kind!r}.")
    if not recipient_may_receive(recipient=recipient, kind=kind):
        return None
    if to_address is None and recipient is not None:
        to_address = recipient.email if channel == Message.Channel.EMAIL else recipient.mobile
    if not to_address:
        raise ValueError(f"No {channel} address for this message.")
    rendered = message_render(channel=channel, template=template, context=context)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                to_address=to_address,
                channel=channel,
                kind=kind,
                template=template,
                idempotency_key=idempotency_key,
                **rendered,
            )
    except IntegrityError:
        # Another transaction queued the same key first.
        return Message.objects.get(idempotency_key=idempotency_key)
    # robust: a broker that is down must not undo the caller's committed change;
    # the message stays pending and messages_requeue_stale picks it up.
    transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def _send_email(message: Message) -> str:
    provider_id = make_msgid(domain="portal")
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Message-ID": provider_id},
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


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, settings.MESSAGE_RETRY_BACKOFF_MAX))


def message_deliver(*, message_id: int) -> None:
    """Send a pending message once and record the outcome.

    The row stays locked while the provider is called, so two workers given the
    same message send it once. Raises TransientDeliveryError (after recording the
    attempt) when a retry may succeed.
    """
    retry_error: TransientDeliveryError | None = None
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != Message.Status.PENDING:
            return
        if not recipient_may_receive(recipient=message.recipient, kind=message.kind):
            message.status = Message.Status.CANCELLED
            message.save(update_fields=["status"])
            return
        message.attempts += 1
        try:
            sender = _send_email if message.channel == Message.Channel.EMAIL else _send_sms
            message.provider_id = sender(message)
        except TransientDeliveryError as error:
            message.last_error = str(error)[:200]
            if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
                message.next_attempt_at = None
            else:
                message.next_attempt_at = timezone.now() + _retry_delay(message.attempts)
                retry_error = error
        except DeliveryError as error:
            message.last_error = str(error)[:200]
            message.status = Message.Status.FAILED
            message.next_attempt_at = None
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
            ]
        )
    if retry_error is not None:
        raise retry_error


def messages_requeue_stale(*, older_than: timedelta | None = None) -> int:
    """Enqueue again every message left pending too long; returns how many.

    A message is stale when it was queued (or last due for a retry) more than
    ``older_than`` ago (default ``settings.MESSAGE_STALE_AFTER``): its task was lost
    with a broker or a worker.
    """
    now = timezone.now()
    cutoff = now - (older_than or settings.MESSAGE_STALE_AFTER)
    stale = Message.objects.filter(status=Message.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff)
    )
    message_ids = list(stale.order_by("created_at").values_list("pk", flat=True))
    # Marking them due now keeps the next run from enqueueing them again at once.
    Message.objects.filter(pk__in=message_ids).update(next_attempt_at=now)
    for message_id in message_ids:
        _enqueue(message_id)
    return len(message_ids)


@transaction.atomic
def message_cancel_pending(*, recipient: User) -> int:
    """Cancel every message still waiting for this recipient; returns how many."""
    return Message.objects.filter(recipient=recipient, status=Message.Status.PENDING).update(
        status=Message.Status.CANCELLED, next_attempt_at=None
    )
