"""Every write the privacy app makes, one module per noun."""

from privacy.services.erasure import pupil_anonymise, user_erase
from privacy.services.requests import privacy_request_open
from privacy.services.retention import retention_run

__all__ = [
    "privacy_request_open",
    "pupil_anonymise",
    "retention_run",
    "user_erase",
]
