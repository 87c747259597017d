"""Every write to the message outbox."""

from notifications.services.outbox import (
    DELIVERY_BATCH_SIZE,
    QUEUE_BATCH_SIZE,
    RECEIPT_APPLIES_TO,
    RECEIPT_STATUSES,
    OutgoingMessage,
    message_cancel_pending,
    message_deliver,
    message_queue,
    message_receipt_record,
    message_render,
    messages_cancel_superseded,
    messages_enqueue,
    messages_queue,
    messages_requeue_stale,
    notification_preferences_set,
    recipient_may_receive,
)

__all__ = [
    "DELIVERY_BATCH_SIZE",
    "QUEUE_BATCH_SIZE",
    "RECEIPT_APPLIES_TO",
    "RECEIPT_STATUSES",
    "OutgoingMessage",
    "message_cancel_pending",
    "message_deliver",
    "message_queue",
    "message_receipt_record",
    "message_render",
    "messages_cancel_superseded",
    "messages_enqueue",
    "messages_queue",
    "messages_requeue_stale",
    "notification_preferences_set",
    "recipient_may_receive",
]
