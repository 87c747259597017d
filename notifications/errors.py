"""Delivery errors shared by the email path and the SMS backends.

Their text goes into ``Message.last_error``: keep it short and free of
addresses, names or message content.
"""


class DeliveryError(Exception):
    """The provider refused the message for good: retrying will not help."""


class TransientDeliveryError(DeliveryError):
    """The provider could not take the message now: retry later."""
