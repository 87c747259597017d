"""Every write the privacy app makes, one module per noun."""

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
from privacy.services.requests import privacy_request_open

__all__ = [
    "IncidentError",
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
    "privacy_request_open",
]
