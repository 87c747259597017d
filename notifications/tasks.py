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


@shared_task
def messages_requeue_stale_task() -> int:
    from notifications.services import messages_requeue_stale

    return messages_requeue_stale()
