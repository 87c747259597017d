"""Every write the privacy app makes, one module per noun."""

from privacy.services.requests import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
)

__all__ = [
    "PrivacyRequestError",
    "privacy_request_close",
    "privacy_request_erase",
    "privacy_request_open",
    "privacy_request_refuse",
    "privacy_request_restrict",
    "privacy_request_start",
]
