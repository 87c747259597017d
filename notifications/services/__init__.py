"""Every write to the message outbox: queueing, delivering, and each user's
channel preferences."""

from notifications.services.delivery import (
    RECEIPT_APPLIES_TO,
    RECEIPT_STATUSES,
    message_deliver,
    message_receipt_record,
    messages_requeue_stale,
    messages_retry_failed,
    retry_budget,
    retry_delay,
)
from notifications.services.outbox import (
    DELIVERY_BATCH_SIZE,
    QUEUE_BATCH_SIZE,
    OutgoingMessage,
    enqueue_after_commit,
    message_cancel_pending,
    message_queue,
    messages_cancel_pending,
    messages_cancel_superseded,
    messages_enqueue,
    messages_queue,
    recipient_may_receive,
)
from notifications.services.preferences import (
    SCOPE_FIELDS,
    notification_preferences_set,
    notifications_stop,
)
from notifications.services.rendering import message_render, message_render_fitting, text_render

__all__ = [
    "DELIVERY_BATCH_SIZE",
    "QUEUE_BATCH_SIZE",
    "RECEIPT_APPLIES_TO",
    "RECEIPT_STATUSES",
    "SCOPE_FIELDS",
    "OutgoingMessage",
    "enqueue_after_commit",
    "message_cancel_pending",
    "message_deliver",
    "message_queue",
    "message_receipt_record",
    "message_render",
    "message_render_fitting",
    "messages_cancel_pending",
    "messages_cancel_superseded",
    "messages_enqueue",
    "messages_queue",
    "messages_requeue_stale",
    "messages_retry_failed",
    "notification_preferences_set",
    "notifications_stop",
    "recipient_may_receive",
    "retry_budget",
    "retry_delay",
    "text_render",
]
