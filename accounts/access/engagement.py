"""Who sees which engagement numbers.

Dashboards and nudges:

- a teacher sees the dashboard of the classes they teach (at a school where they
  are a teacher), never an individual pupil's Pupil Premium status, and nudges
  the families of pupils on roll in those classes about work set for them;
- a school admin sees their school's dashboard;
- platform staff with ``engagement.view_engagement_overview`` see totals across
  schools, never a name.

The Pupil Premium report:

- a school admin: the whole school, with exact numbers (they may see each
  pupil's Pupil Premium status anyway);
- a teacher: only the classes they teach at that school, and any group of fewer
  than 5 pupils shown as "fewer than 5", so that no teacher learns an
  individual pupil's Pupil Premium status;
- anyone else (parents, platform staff, another school's staff): a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.access.pupils import classes_taught_by, pupils_taught_by
from accounts.access.refusals import refuse
from accounts.access.roles import (
    administered_school_or_404,
    is_signed_in,
    schools_administered_by,
    schools_staffed_by,
)
from learning.models import Assignment
from schools.models import Pupil, School, SchoolClass

# --- Dashboards and nudges -----------------------------------------------------------


def engagement_classes_of(user) -> QuerySet[SchoolClass]:
    """The classes whose engagement a teacher follows: those they teach."""
    return classes_taught_by(user).select_related("school")


def engagement_class_or_404(user, class_id) -> SchoolClass:
    school_class = engagement_classes_of(user).filter(pk=class_id).first()
    if school_class is None:
        refuse("No such class.")
    return school_class


def engagement_school_or_404(user, school_id) -> School:
    """A school's dashboard: its admins only."""
    return administered_school_or_404(user, school_id)


def nudge_assignment_or_404(user, school_class: SchoolClass, assignment_id) -> Assignment:
    """Work set for a class the user teaches, with its topic."""
    assignment = (
        Assignment.objects.filter(
            pk=assignment_id,
            school_class=school_class,
            school_class__in=classes_taught_by(user).values("pk"),
        )
        .select_related("topic", "school_class__school")
        .first()
    )
    if assignment is None:
        refuse("No such assignment.")
    return assignment


def nudge_pupils_of(user, school_class: SchoolClass, pupil_ids: Iterable[int]) -> QuerySet[Pupil]:
    """Of ``pupil_ids``, the pupils on roll in ``school_class`` the user teaches."""
    return pupils_taught_by(user).filter(school_class=school_class, pk__in=list(pupil_ids))


def can_view_engagement_overview(user) -> bool:
    """Platform staff (or superusers) holding the overview's permission."""
    return (
        is_signed_in(user)
        and user.is_staff
        and user.has_perm("engagement.view_engagement_overview")
    )


# --- The Pupil Premium report ---------------------------------------------------------


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
