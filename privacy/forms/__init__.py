"""The privacy app's forms, one module per noun."""

from privacy.forms.requests import (
    PrivacyRequestCloseForm,
    PrivacyRequestRecordForm,
    PrivacyRequestRefuseForm,
)

__all__ = ["PrivacyRequestCloseForm", "PrivacyRequestRecordForm", "PrivacyRequestRefuseForm"]
