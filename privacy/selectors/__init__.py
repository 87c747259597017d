"""Every read of the privacy app that depends on who is asking, one module per noun."""

from privacy.selectors.requests import (
    STATES,
    QueueCounts,
    privacy_request_queue_counts,
    privacy_requests_for_school,
    privacy_requests_urgent_first,
    urgent_first_ordering,
)

__all__ = [
    "STATES",
    "QueueCounts",
    "privacy_request_queue_counts",
    "privacy_requests_for_school",
    "privacy_requests_urgent_first",
    "urgent_first_ordering",
]
