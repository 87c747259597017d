"""Every write the privacy app makes, one module per noun."""

from privacy.services.erasure import (
    erasure_request_open,
    pupil_anonymise,
    user_erase,
    user_erase_start,
)
from privacy.services.requests import privacy_request_open

__all__ = [
    "erasure_request_open",
    "privacy_request_open",
    "pupil_anonymise",
    "user_erase",
    "user_erase_start",
]
