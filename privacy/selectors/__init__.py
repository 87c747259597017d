"""Every read of the privacy app that depends on who is asking, one module per noun."""

from privacy.selectors.erasure import (
    ERASE_AT_ONCE_MAX_EVENTS,
    ErasurePreview,
    erasure_is_large,
    erasure_preview,
    erasure_request_pending,
)

__all__ = [
    "ERASE_AT_ONCE_MAX_EVENTS",
    "ErasurePreview",
    "erasure_is_large",
    "erasure_preview",
    "erasure_request_pending",
]
