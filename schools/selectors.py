"""Reads of school data that depend on who is asking; all go through accounts.access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.models import Membership, User
from schools.models import Pupil, RosterImport, School, SchoolClass


def _on_roll() -> QuerySet[Pupil]:
    return Pupil.objects.filter(removed_by_school_at__isnull=True, anonymised_at__isnull=True)


def children_for_parent(*, parent: User) -> QuerySet[Pupil]:
    return (
        access.children_of(parent)
        .select_related("school", "school_class")
        .order_by("first_name", "last_name")
    )


def classes_for_teacher(*, teacher: User) -> QuerySet[SchoolClass]:
    """The teacher's classes, each with its pupils on roll prefetched."""
    return (
        access.classes_taught_by(teacher)
        .select_related("school")
        .prefetch_related(
            Prefetch("pupils", queryset=_on_roll().order_by("last_name", "first_name"))
        )
        .order_by("school__name", "year_group", "name")
    )


def pupils_of_class(*, user: User, school_class: SchoolClass) -> QuerySet[Pupil]:
    """Pupils of a class as this viewer may see them (never removed pupils for staff)."""
    return (
        access.pupils_visible_to(user)
        .filter(school_class=school_class, removed_by_school_at__isnull=True)
        .order_by("last_name", "first_name")
    )


@dataclass(frozen=True)
class SchoolTotals:
    pupils: int
    pupil_premium: int
    removed: int


def school_totals(*, school: School) -> SchoolTotals:
    totals = Pupil.objects.filter(school=school, anonymised_at__isnull=True).aggregate(
        pupils=Count("pk", filter=Q(removed_by_school_at__isnull=True)),
        pupil_premium=Count("pk", filter=Q(removed_by_school_at__isnull=True, pupil_premium=True)),
        removed=Count("pk", filter=Q(removed_by_school_at__isnull=False)),
    )
    return SchoolTotals(**totals)


def classes_with_pupils_on_roll(*, school: School) -> QuerySet[SchoolClass]:
    """The school's classes, newest year first, each with ``pupil_count``: its pupils on roll."""
    return (
        SchoolClass.objects.filter(school=school)
        .annotate(
            pupil_count=Count(
                "pupils",
                filter=Q(
                    pupils__removed_by_school_at__isnull=True, pupils__anonymised_at__isnull=True
                ),
            )
        )
        .order_by("-academic_year", "year_group", "name")
    )


def classes_for_admin(*, school: School) -> QuerySet[SchoolClass]:
    return classes_with_pupils_on_roll(school=school).prefetch_related(
        Prefetch("teachers", queryset=User.objects.order_by("last_name"))
    )


@dataclass(frozen=True)
class StaffMember:
    user: User
    roles: list[str]


def staff_for_admin(*, school: School) -> list[StaffMember]:
    """The school's staff, one entry per person with their roles."""
    memberships = (
        Membership.objects.filter(school=school)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id", "role")
    )
    staff: dict[int, StaffMember] = {}
    for membership in memberships:
        member = staff.setdefault(membership.user_id, StaffMember(membership.user, []))
        member.roles.append(membership.get_role_display())
    return list(staff.values())


def teachers_of_school(*, school: School) -> QuerySet[User]:
    return User.objects.filter(
        memberships__school=school, memberships__role=Membership.Role.TEACHER
    ).order_by("last_name", "first_name")


def pupils_for_admin(*, admin: User, school: School, search: str = "") -> QuerySet[Pupil]:
    pupils = access.pupils_of_school_for_admin(admin, school).select_related("school_class")
    for word in search.split()[:4]:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return pupils.order_by("removed_by_school_at", "last_name", "first_name")


# --- Roster imports: the school comes from accounts.access first ---------------------


def roster_imports_recent(*, school: School, limit: int = 10) -> QuerySet[RosterImport]:
    return (
        RosterImport.objects.filter(school=school)
        .defer("content", "errors", "warnings")
        .order_by("-created_at", "-pk")[:limit]
    )


def roster_import_of_school_or_404(*, school: School, import_id: int) -> RosterImport:
    """An import of this school (whose admin the viewer is); any other is a 404."""
    roster_import = (
        RosterImport.objects.filter(school=school, pk=import_id)
        .defer("content")
        .select_related("uploaded_by")
        .first()
    )
    if roster_import is None:
        raise Http404("No such roster import.")
    return roster_import
