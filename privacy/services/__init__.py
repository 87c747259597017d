"""Every write the privacy app makes, one module per noun."""

from privacy.services.erasure import pupil_anonymise, user_erase, user_erase_start
from privacy.services.erasure_requests import erasure_request_open
from privacy.services.requests import privacy_request_open

__all__ = [
    "erasure_request_open",
    "privacy_request_open",
    "pupil_anonymise",
    "user_erase",
    "user_erase_start",
]
