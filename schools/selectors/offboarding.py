"""What offboarding a school would do, in counts: platform staff see no names."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Membership, User
from invitations.models import Invitation
from schools.models import Guardianship, Pupil, School

# --- Offboarding a school: platform staff, in the admin ------------------------------


@dataclass(frozen=True)
class OffboardingStaff:
    """The school's staff when it leaves, by user id: accounts to close (this is
    their only school) and accounts kept (another school, a child of their own
    on the portal, or platform staff), who lose only their roles here."""

    to_close: list[int]
    to_keep: list[int]


def offboarding_staff(*, school: School) -> OffboardingStaff:
    member_ids = set(Membership.objects.filter(school=school).values_list("user_id", flat=True))
    if not member_ids:
        return OffboardingStaff(to_close=[], to_keep=[])
    kept = set(
        Membership.objects.filter(user_id__in=member_ids)
        .exclude(school=school)
        .values_list("user_id", flat=True)
    )
    kept |= set(
        Guardianship.objects.filter(
            parent_id__in=member_ids, confirmed_at__isnull=False, ended_at__isnull=True
        ).values_list("parent_id", flat=True)
    )
    kept |= set(
        User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), pk__in=member_ids).values_list(
            "pk", flat=True
        )
    )
    return OffboardingStaff(to_close=sorted(member_ids - kept), to_keep=sorted(member_ids & kept))


@dataclass(frozen=True)
class OffboardingPreview:
    """What offboarding the school would do, in counts (names stay out of the admin)."""

    staff_to_close: int
    staff_kept: int
    pupils_on_roll: int
    parents_to_tell: int
    invitations_live: int


def offboarding_preview(*, school: School) -> OffboardingPreview:
    staff = offboarding_staff(school=school)
    on_roll = Pupil.objects.filter(
        school=school, removed_by_school_at__isnull=True, anonymised_at__isnull=True
    )
    parents = (
        Guardianship.objects.filter(
            pupil__in=on_roll,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__is_active=True,
            parent__closed_at__isnull=True,
            parent__processing_restricted=False,
        )
        .values("parent_id")
        .distinct()
        .count()
    )
    return OffboardingPreview(
        staff_to_close=len(staff.to_close),
        staff_kept=len(staff.to_keep),
        pupils_on_roll=on_roll.count(),
        parents_to_tell=parents,
        invitations_live=Invitation.objects.filter(
            school=school, status__in=Invitation.LIVE_STATUSES
        ).count(),
    )
