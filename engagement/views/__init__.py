"""The engagement pages (a teacher's dashboard and nudges, a school's dashboard, the
Pupil Premium report) and the tracking endpoints of parents' pages."""

from engagement.views.dashboards import (
    PUPILS_PER_PAGE,
    nudge,
    school_dashboard,
    teacher_dashboard,
)
from engagement.views.report import pp_report
from engagement.views.tracking import (
    game_open,
    video_started,
)

__all__ = [
    "PUPILS_PER_PAGE",
    "game_open",
    "nudge",
    "pp_report",
    "school_dashboard",
    "teacher_dashboard",
    "video_started",
]
