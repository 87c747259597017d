from privacy.forms.erasure import CONFIRMATION_WORD, ErasureForm
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
    "CONFIRMATION_WORD",
    "ErasureForm",
    "IncidentForm",
    "IncidentRecordForm",
    "PrivacyRequestCloseForm",
    "PrivacyRequestRecordForm",
    "PrivacyRequestRefuseForm",
    "ReportForm",
    "RetrospectiveForm",
    "ScopeForm",
]
