"""The privacy app's forms, one module per noun."""

from privacy.forms.incidents import (
    IncidentForm,
    IncidentRecordForm,
    ReportForm,
    RetrospectiveForm,
    ScopeForm,
)

__all__ = ["IncidentForm", "IncidentRecordForm", "ReportForm", "RetrospectiveForm", "ScopeForm"]
