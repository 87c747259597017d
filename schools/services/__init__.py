"""Every write to school data: onboarding a school and offboarding it, its
settings, who teaches each class, its staff, one pupil's links and leaving, and
the roster import."""

from schools.services.classes import (
    ClassTeachersError,
    class_teachers_set,
)
from schools.services.leavers import (
    PupilsRemoved,
    Reason,
    pupils_remove,
)
from schools.services.offboarding import (
    OffboardingResult,
    school_offboard,
)
from schools.services.onboarding import (
    OnboardingError,
    school_onboard,
    school_update,
)
from schools.services.pupils import (
    PupilChangeError,
    guardianship_end,
    pupil_mark_left,
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
from schools.services.settings import (
    school_settings_update,
)
from schools.services.staff import (
    StaffRemovalError,
    staff_member_remove,
    staff_removal_check,
)

__all__ = [
    "GENERIC_FAILURE",
    "IMPORTED_TABLES",
    "MAX_STORED_ISSUES",
    "PROGRESS_TIMEOUT",
    "STATUS_REFUSALS",
    "ClassTeachersError",
    "OffboardingResult",
    "OnboardingError",
    "PupilChangeError",
    "PupilsRemoved",
    "Reason",
    "RosterImportError",
    "StaffRemovalError",
    "class_teachers_set",
    "guardianship_end",
    "planner_statistics_refresh",
    "pupil_mark_left",
    "pupils_remove",
    "roster_apply",
    "roster_check",
    "roster_import_apply",
    "roster_import_apply_queued",
    "roster_import_check",
    "roster_import_progress",
    "roster_import_start",
    "roster_imports_purge",
    "school_offboard",
    "school_onboard",
    "school_settings_update",
    "school_update",
    "staff_member_remove",
    "staff_removal_check",
]
