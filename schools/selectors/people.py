"""Reads of school data that depend on who is asking; all go through accounts.access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.models import Membership, User
from invitations.models import Invitation
from schools.models import Guardianship, Pupil, RosterImport, School, SchoolClass


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


def staff_member_roles(*, school: School, member: User) -> list[str]:
    return [
        Membership.Role(role).label
        for role in Membership.objects.filter(school=school, user=member)
        .order_by("role")
        .values_list("role", flat=True)
    ]


def classes_taught_at(*, school: School, teacher: User) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(school=school, teachers=teacher).order_by(
        "-academic_year", "year_group", "name"
    )


def teachers_of_school(*, school: School) -> QuerySet[User]:
    return User.objects.filter(
        memberships__school=school, memberships__role=Membership.Role.TEACHER
    ).order_by("last_name", "first_name")


def pupils_for_admin(*, admin: User, school: School, search: str = "") -> QuerySet[Pupil]:
    """The school's pupils on roll: a pupil the school removed leaves staff's view."""
    pupils = (
        access.pupils_of_school_for_admin(admin, school)
        .filter(removed_by_school_at__isnull=True)
        .select_related("school_class")
    )
    for word in search.split()[:4]:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return pupils.order_by("last_name", "first_name")


# --- One pupil, for staff ----------------------------------------------------------


@dataclass
class ParentLink:
    """A parent linked to a pupil, as the school sees them: ``status`` is
    ``joined`` (accepted an invitation), ``invited`` (an invitation can still be
    accepted) or ``imported`` (from the roster, not invited or the invitation gone)."""

    guardianship: Guardianship
    status: str
    invitations: list[Invitation]

    @property
    def parent(self) -> User:
        return self.guardianship.parent

    @property
    def status_label(self) -> str:
        return {"joined": "Joined", "invited": "Invited", "imported": "Imported"}[self.status]


def _invitation_status_now(invitation: Invitation) -> str:
    """A live invitation past its expiry is expired, even before the daily task says so."""
    if invitation.status in Invitation.LIVE_STATUSES and invitation.expires_at <= timezone.now():
        return Invitation.Status.EXPIRED
    return invitation.status


_INVITATION_FIELDS = (
    "pk",
    "parent_id",
    "accepted_by_id",
    "status",
    "expires_at",
    "email",
    "mobile",
    "channels",
    "created_at",
    "sent_at",
    "accepted_at",
)


def parents_of_pupil(*, pupil: Pupil) -> list[ParentLink]:
    """The pupil's current parent links, each with its status and the invitations
    sent about this pupil to that parent, newest first: two queries, whatever the
    number of parents. Callers decide what of it the viewer may see."""
    links = list(
        Guardianship.objects.filter(pupil=pupil, ended_at__isnull=True)
        .select_related("parent")
        .order_by("parent__last_name", "parent__first_name", "pk")
    )
    invitations = list(
        Invitation.objects.filter(pupils=pupil)
        .only(*_INVITATION_FIELDS)
        .order_by("-created_at", "-pk")
    )
    parents = []
    for link in links:
        own = [
            invitation
            for invitation in invitations
            if link.parent_id in (invitation.parent_id, invitation.accepted_by_id)
        ]
        for invitation in own:
            invitation.status_now = _invitation_status_now(invitation)
            invitation.status_now_label = Invitation.Status(invitation.status_now).label
        if link.confirmed_at is not None:
            status = "joined"
        elif any(invitation.status_now in Invitation.LIVE_STATUSES for invitation in own):
            status = "invited"
        else:
            status = "imported"
        parents.append(ParentLink(guardianship=link, status=status, invitations=own))
    return parents


# --- Help for parents and staff -------------------------------------------------------


def schools_for_help(*, user: User) -> QuerySet[School]:
    """The schools whose contact details the user's Help page shows: their
    children's schools (removed-by-school included) and the schools they staff."""
    children_schools = access.children_of(user).values("school_id")
    staffed = access.schools_staffed_by(user).values("pk")
    return School.objects.filter(Q(pk__in=children_schools) | Q(pk__in=staffed)).order_by("name")


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
