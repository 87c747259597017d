"""The privacy app's pages in the Django admin, one module per noun: the breach
register and every school's privacy requests."""

from privacy.admin.incidents import IncidentAdmin
from privacy.admin.requests import PrivacyRequestAdmin

__all__ = ["IncidentAdmin", "PrivacyRequestAdmin"]
