"""Every write the privacy app makes, one module per noun."""

from privacy.services.erasure import pupil_anonymise, user_erase, user_erase_start
from privacy.services.erasure_requests import erasure_request_open
from privacy.services.export import DataExport, pupil_data_export, user_data_export
from privacy.services.incidents import (
    IncidentError,
    incident_close,
    incident_close_blockers,
    incident_record,
    incident_report_record,
    incident_retrospective_record,
    incident_scope_set,
    incident_update,
)
from privacy.services.notices import (
    incident_notice_blockers,
    incident_notify_families,
    incident_notify_schools,
)
from privacy.services.requests import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
)
from privacy.services.retention import retention_run
from privacy.services.school_export import FORMATS, school_data_export

__all__ = [
    "FORMATS",
    "DataExport",
    "IncidentError",
    "PrivacyRequestError",
    "erasure_request_open",
    "incident_close",
    "incident_close_blockers",
    "incident_notice_blockers",
    "incident_notify_families",
    "incident_notify_schools",
    "incident_record",
    "incident_report_record",
    "incident_retrospective_record",
    "incident_scope_set",
    "incident_update",
    "privacy_request_close",
    "privacy_request_erase",
    "privacy_request_open",
    "privacy_request_refuse",
    "privacy_request_restrict",
    "privacy_request_start",
    "pupil_anonymise",
    "pupil_data_export",
    "retention_run",
    "school_data_export",
    "user_data_export",
    "user_erase",
    "user_erase_start",
]
