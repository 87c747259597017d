"""Every write the privacy app makes, one module per noun."""

from privacy.services.export import DataExport, pupil_data_export, user_data_export
from privacy.services.requests import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
)
from privacy.services.school_export import FORMATS, school_data_export

__all__ = [
    "FORMATS",
    "DataExport",
    "PrivacyRequestError",
    "privacy_request_close",
    "privacy_request_erase",
    "privacy_request_open",
    "privacy_request_refuse",
    "privacy_request_restrict",
    "privacy_request_start",
    "pupil_data_export",
    "school_data_export",
    "user_data_export",
]
