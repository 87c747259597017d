"""Who may see engagement reports.

- a school admin: the whole school, with exact numbers (they may see each
  pupil's Pupil Premium status anyway);
- a teacher: only the classes they teach at that school, and any group of fewer
  than 5 pupils shown as "fewer than 5", so that no teacher learns an
  individual pupil's Pupil Premium status;
- anyone else (parents, platform staff, another school's staff): a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.access.pupils import classes_taught_by
from accounts.access.refusals import refuse
from accounts.access.roles import is_signed_in, schools_administered_by, schools_staffed_by
from schools.models import School, SchoolClass


@dataclass(frozen=True)
class ReportScope:
    """What of a school's engagement one member of staff may see."""

    school: School
    whole_school: bool
    classes: list[SchoolClass]

    @property
    def class_ids(self) -> list[int] | None:
        """The classes the report is limited to; ``None`` for the whole school."""
        return None if self.whole_school else [c.pk for c in self.classes]

    @property
    def suppress_small_groups(self) -> bool:
        return not self.whole_school


def engagement_report_scope_or_404(user, school_id) -> ReportScope:
    """The school's report as ``user`` may see it; a 404 for anyone who may not."""
    if not is_signed_in(user):
        refuse("No such school.")
    school = schools_staffed_by(user).filter(pk=school_id).first()
    if school is None:
        refuse("No such school.")
    if schools_administered_by(user).filter(pk=school.pk).exists():
        classes = list(SchoolClass.objects.filter(school=school))
        return ReportScope(school=school, whole_school=True, classes=classes)
    classes = list(classes_taught_by(user).filter(school=school))
    if not classes:
        refuse("No such school.")
    return ReportScope(school=school, whole_school=False, classes=classes)
