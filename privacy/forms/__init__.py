from privacy.forms.incidents import (
    IncidentForm,
    IncidentRecordForm,
    ReportForm,
    RetrospectiveForm,
    ScopeForm,
)
from privacy.forms.requests import (
    PrivacyRequestCloseForm,
    PrivacyRequestRecordForm,
    PrivacyRequestRefuseForm,
)

__all__ = [
    "IncidentForm",
    "IncidentRecordForm",
    "PrivacyRequestCloseForm",
    "PrivacyRequestRecordForm",
    "PrivacyRequestRefuseForm",
    "ReportForm",
    "RetrospectiveForm",
    "ScopeForm",
]
