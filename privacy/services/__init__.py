"""Every write the privacy app makes, one module per noun."""

from privacy.services.export import DataExport, pupil_data_export, user_data_export
from privacy.services.requests import privacy_request_open
from privacy.services.school_export import FORMATS, school_data_export

__all__ = [
    "FORMATS",
    "DataExport",
    "privacy_request_open",
    "pupil_data_export",
    "school_data_export",
    "user_data_export",
]
