"""Every write to school data: onboarding a school, who teaches each class, and the
roster import."""

from schools.services.classes import (
    ClassTeachersError,
    class_teachers_set,
)
from schools.services.onboarding import (
    OnboardingError,
    school_onboard,
    school_update,
)
from schools.services.roster import (
    IMPORTED_TABLES,
    planner_statistics_refresh,
    roster_apply,
    roster_check,
)
from schools.services.roster_imports import (
    GENERIC_FAILURE,
    MAX_STORED_ISSUES,
    PROGRESS_TIMEOUT,
    STATUS_REFUSALS,
    RosterImportError,
    roster_import_apply,
    roster_import_apply_queued,
    roster_import_check,
    roster_import_progress,
    roster_import_start,
    roster_imports_purge,
)

__all__ = [
    "GENERIC_FAILURE",
    "IMPORTED_TABLES",
    "MAX_STORED_ISSUES",
    "PROGRESS_TIMEOUT",
    "STATUS_REFUSALS",
    "ClassTeachersError",
    "OnboardingError",
    "RosterImportError",
    "class_teachers_set",
    "planner_statistics_refresh",
    "roster_apply",
    "roster_check",
    "roster_import_apply",
    "roster_import_apply_queued",
    "roster_import_check",
    "roster_import_progress",
    "roster_import_start",
    "roster_imports_purge",
    "school_onboard",
    "school_update",
]
