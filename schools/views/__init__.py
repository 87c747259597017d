"""The school pages: a parent's children, a teacher's classes, a school admin's
school and its roster import."""

from schools.views.children import (
    PUPILS_PER_PAGE,
    parent_home,
)
from schools.views.classes import (
    class_detail,
    teacher_classes,
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

__all__ = [
    "PUPILS_PER_PAGE",
    "SUMMARY_ROWS",
    "class_detail",
    "class_teachers",
    "parent_home",
    "roster_apply",
    "roster_preview",
    "roster_status",
    "roster_upload",
    "school_overview",
    "school_pupils",
    "teacher_classes",
]
