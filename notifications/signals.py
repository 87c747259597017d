"""Signals the outbox sends, so that other apps can follow their messages.

``message_status_changed`` is sent with ``sender=Message``, ``message`` (the row,
already saved with its new status) and ``previous_status`` whenever a message is
sent, fails, is delivered, bounces or is cancelled. Receivers run inside the
transaction that changed the status; one that raises is logged and its writes are
rolled back, but the status change stands (the message has already gone).
Receivers find what caused a message through ``message.reference``.
"""

from django.dispatch import Signal

message_status_changed = Signal()
