"""The school pages: a parent's children, a teacher's classes, a school admin's
school, its settings, staff and pupils, its roster import, and the Help page."""

from schools.views.children import (
    PUPILS_PER_PAGE,
    parent_home,
)
from schools.views.classes import (
    class_detail,
    teacher_classes,
)
from schools.views.pupils import (
    guardianship_remove,
    pupil_detail,
    pupil_leave,
)
from schools.views.roster import (
    SUMMARY_ROWS,
    roster_apply,
    roster_preview,
    roster_status,
    roster_upload,
)
from schools.views.school import (
    class_teachers,
    school_overview,
    school_pupils,
)
from schools.views.settings import (
    help_page,
    school_settings,
)
from schools.views.staff import (
    staff_remove,
)

__all__ = [
    "PUPILS_PER_PAGE",
    "SUMMARY_ROWS",
    "class_detail",
    "class_teachers",
    "guardianship_remove",
    "help_page",
    "parent_home",
    "pupil_detail",
    "pupil_leave",
    "roster_apply",
    "roster_preview",
    "roster_status",
    "roster_upload",
    "school_overview",
    "school_pupils",
    "school_settings",
    "staff_remove",
    "teacher_classes",
]
