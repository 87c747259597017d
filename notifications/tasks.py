"""Background delivery: each task takes primary keys and calls one service."""

from celery import shared_task

from notifications.errors import TransientDeliveryError


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def message_deliver_task(self, message_id: int) -> None:
    from notifications.services import message_deliver

    message_deliver(message_id=message_id)


@shared_task(acks_late=True)
def messages_deliver_task(message_ids: list[int]) -> None:
    """Deliver a batch in turn; a message whose provider asks us to try again leaves
    the batch and is retried on its own, with backoff, by message_deliver_task."""
    from notifications.models import Message
    from notifications.services import message_deliver

    for message_id in message_ids:
        try:
            message_deliver(message_id=message_id)
        except TransientDeliveryError:
            retry_at = (
                Message.objects.filter(pk=message_id)
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            message_deliver_task.apply_async((message_id,), eta=retry_at)


@shared_task
def messages_requeue_stale_task() -> int:
    from notifications.services import messages_requeue_stale

    return messages_requeue_stale()
