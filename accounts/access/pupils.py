"""Who may see which pupils and classes.

- a parent sees only their own children: guardianships they have confirmed
  (accepted) and that have not ended; a pupil removed by the school stays
  visible to the parent;
- a teacher sees pupils on roll in the classes they teach, at a school where
  they are a teacher;
- a school admin sees everything at their school, except pupils the school has
  removed: once a pupil leaves, staff no longer see them (their parents still
  do); the school keeps them in its own export, and ``pupils_of_school_for_admin``
  still offers them when recording a privacy request about one;
- an individual pupil's Pupil Premium status, and parents' contact details, are
  for school admins only (a teacher sees the parents' names);
- platform staff see no pupil data (support grants come later);
- an anonymised pupil is nobody's to see.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access.refusals import refuse
from accounts.access.roles import is_school_admin, is_signed_in, schools_administered_by
from accounts.models import Membership
from audit.models import SecurityEvent
from audit.services import security_event_record
from schools.models import Guardianship, Pupil, School, SchoolClass


def _teaches_here(user) -> QuerySet[Membership]:
    """The user's teacher membership at the school of the outer row."""
    return Membership.objects.filter(
        user=user, school=OuterRef("school_id"), role=Membership.Role.TEACHER
    )


def _teacher_condition(user) -> Q:
    return Q(
        Exists(_teaches_here(user)),
        school_class__teachers=user,
        removed_by_school_at__isnull=True,
    )


def _parent_condition(user) -> Q:
    return Q(
        guardianships__parent=user,
        guardianships__confirmed_at__isnull=False,
        guardianships__ended_at__isnull=True,
    )


def _admin_condition(user) -> Q:
    return Q(
        school__in=schools_administered_by(user).values("pk"), removed_by_school_at__isnull=True
    )


def _pupils_where(user, *conditions: Callable[[object], Q]) -> QuerySet[Pupil]:
    """Pupils matching any of ``conditions`` for a signed-in user (joins may repeat
    a pupil: a subquery keeps each once)."""
    if not is_signed_in(user):
        return Pupil.objects.none()
    matching = Pupil.objects.filter(reduce(operator.or_, (c(user) for c in conditions)))
    matching = matching.values("pk")
    return Pupil.objects.filter(pk__in=matching, anonymised_at__isnull=True)


def pupils_visible_to(user) -> QuerySet[Pupil]:
    """Every pupil this user may see, under any of their roles."""
    return _pupils_where(user, _parent_condition, _teacher_condition, _admin_condition)


def children_of(user) -> QuerySet[Pupil]:
    """The parent's own children (removed-by-school included)."""
    return _pupils_where(user, _parent_condition)


def pupils_taught_by(user) -> QuerySet[Pupil]:
    return _pupils_where(user, _teacher_condition)


def pupils_staffed_by(user) -> QuerySet[Pupil]:
    """Pupils the user sees as a member of staff (not as a parent): a teacher's
    pupils on roll in their classes, an admin's school's pupils."""
    return _pupils_where(user, _teacher_condition, _admin_condition)


def pupils_of_school_for_admin(user, school: School) -> QuerySet[Pupil]:
    """Every pupil of the school, leavers included (for a privacy request about one);
    the pages staff browse show pupils on roll only."""
    if not is_school_admin(user, school):
        return Pupil.objects.none()
    return Pupil.objects.filter(school=school, anonymised_at__isnull=True)


def can_view_pupil(user, pupil: Pupil) -> bool:
    return pupils_visible_to(user).filter(pk=pupil.pk).exists()


def record_pupil_opened(user, pupil: Pupil) -> None:
    """Record a member of staff opening a pupil's record (a security event)."""
    security_event_record(
        kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED, user=user, details={"pupil": pupil.pk}
    )


def pupil_or_404(user, pupil_id) -> Pupil:
    """One pupil's record. A member of staff opening it (rather than the child's own
    parent) is recorded as a security event."""
    pupil = pupils_visible_to(user).filter(pk=pupil_id).first()
    if pupil is None:
        refuse("No such pupil.")
    if not children_of(user).filter(pk=pupil.pk).exists():
        record_pupil_opened(user, pupil)
    return pupil


def pupil_of_school_for_staff_or_404(user, school_id, pupil_id) -> Pupil:
    """A pupil of this school whom the user sees as staff (a teacher their classes'
    pupils on roll, an admin any of the school's), with class and school; anyone
    else, the pupil's own parents included, gets a 404. Opening it is recorded."""
    pupil = (
        pupils_staffed_by(user)
        .select_related("school", "school_class")
        .filter(pk=pupil_id, school_id=school_id)
        .first()
    )
    if pupil is None:
        refuse("No such pupil.")
    record_pupil_opened(user, pupil)
    return pupil


def child_of_parent_or_404(user, pupil_id) -> Pupil:
    """One of the user's own children (removed by the school or not); otherwise 404."""
    child = children_of(user).select_related("school", "school_class").filter(pk=pupil_id).first()
    if child is None:
        refuse("No such child.")
    return child


def can_record_for_child(user, pupil: Pupil) -> bool:
    """May the user mark work done and give feedback for this child? Their own child,
    on roll at a school still on the portal (an offboarded school takes nothing new)."""
    return (
        children_of(user)
        .filter(
            pk=pupil.pk,
            removed_by_school_at__isnull=True,
            school__status=School.Status.ACTIVE,
        )
        .exists()
    )


def can_see_pupil_premium(user, school: School) -> bool:
    """Individual Pupil Premium status: school admins of that school only."""
    return is_school_admin(user, school)


def can_see_parent_contacts(user, school: School) -> bool:
    """Parents' emails, mobiles and invitations: school admins of that school only."""
    return is_school_admin(user, school)


def can_manage_pupil(user, pupil: Pupil) -> bool:
    """Removing a parent's link to a pupil, or marking the pupil as left: the
    school's admins."""
    return is_school_admin(user, pupil.school)


def guardianship_of_pupil_or_404(user, pupil: Pupil, guardianship_id) -> Guardianship:
    """A current link between a parent and this pupil, for the school's admins;
    anyone else, or a link already ended, gets a 404."""
    guardianship = (
        Guardianship.objects.filter(
            pk=guardianship_id,
            pupil=pupil,
            ended_at__isnull=True,
            pupil__school__in=schools_administered_by(user).values("pk"),
        )
        .select_related("parent")
        .first()
    )
    if guardianship is None:
        refuse("No such parent link.")
    return guardianship


# --- Classes ---------------------------------------------------------------------


def classes_taught_by(user) -> QuerySet[SchoolClass]:
    """Classes the user teaches, at schools where they are a teacher."""
    if not is_signed_in(user):
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(Exists(_teaches_here(user)), teachers=user)


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    """A teacher's own classes and every class of the schools the user administers."""
    if not is_signed_in(user):
        return SchoolClass.objects.none()
    taught = classes_taught_by(user).values("pk")
    return SchoolClass.objects.filter(
        Q(pk__in=taught) | Q(school__in=schools_administered_by(user).values("pk"))
    )


def class_or_404(user, class_id) -> SchoolClass:
    school_class = classes_visible_to(user).select_related("school").filter(pk=class_id).first()
    if school_class is None:
        refuse("No such class.")
    return school_class


def class_of_school_or_404(user, school: School, class_id) -> SchoolClass:
    """A class of ``school`` that the user may see; any other school's is a 404."""
    school_class = (
        classes_visible_to(user).select_related("school").filter(pk=class_id, school=school).first()
    )
    if school_class is None:
        refuse("No such class.")
    return school_class


def classes_assignable_by(user) -> QuerySet[SchoolClass]:
    """Classes the user may set work for: a teacher their own classes (at a school
    where they teach), a school admin every class of their school."""
    return classes_visible_to(user)
