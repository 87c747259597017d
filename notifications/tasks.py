"""Background delivery: each task takes primary keys and calls one service.

A transient failure is not retried by Celery: ``message_deliver`` records it and
schedules the message's next attempt itself (``next_attempt_at``, after the delays
of ``settings.MESSAGE_RETRY_DELAYS``), so a retry hours away lives in the
database, where ``messages_requeue_stale`` finds it if the task is lost.
"""

import logging

from celery import shared_task

from notifications.errors import TransientDeliveryError

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def message_deliver_task(message_id: int) -> None:
    from notifications.services import message_deliver

    try:
        message_deliver(message_id=message_id)
    except TransientDeliveryError as error:
        logger.warning("Message %s will be tried again: %s", message_id, error)


@shared_task(acks_late=True)
def messages_deliver_task(message_ids: list[int]) -> None:
    """Deliver a batch in turn; a message whose provider asks us to try again is
    scheduled on its own by message_deliver, and the batch goes on."""
    from notifications.services import message_deliver

    for message_id in message_ids:
        try:
            message_deliver(message_id=message_id)
        except TransientDeliveryError as error:
            logger.warning("Message %s will be tried again: %s", message_id, error)


@shared_task
def messages_requeue_stale_task() -> int:
    from notifications.services import messages_requeue_stale

    return messages_requeue_stale()
