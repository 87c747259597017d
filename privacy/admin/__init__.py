"""The privacy app's pages in the Django admin, one module per noun."""

from privacy.admin.incidents import IncidentAdmin

__all__ = ["IncidentAdmin"]
