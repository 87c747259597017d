"""The engagement pages: a teacher's dashboard and nudges, a school's dashboard."""

from engagement.views.dashboards import (
    PUPILS_PER_PAGE,
    nudge,
    school_dashboard,
    teacher_dashboard,
)

__all__ = [
    "PUPILS_PER_PAGE",
    "nudge",
    "school_dashboard",
    "teacher_dashboard",
]
