"""Who the user is: signed in, a parent, a teacher or admin at which schools.

Every other rule of the checkpoint starts from these.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access.refusals import forbid, refuse
from accounts.models import Membership
from schools.models import School


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def requires_two_factor(user) -> bool:
    """Every staff account (school admin, teacher, platform staff) needs a second factor."""
    if not is_signed_in(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.exists()


def can_erase_own_account(user) -> bool:
    """A parent erases their own data at once; an account with a staff role (or
    platform staff) asks, and staff check what the school or platform must keep."""
    return is_signed_in(user) and not requires_two_factor(user)


def schools_administered_by(user) -> QuerySet[School]:
    if not is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


def schools_teaching(user) -> QuerySet[School]:
    if not is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__role=Membership.Role.TEACHER)


def schools_staffed_by(user) -> QuerySet[School]:
    """Schools where the user is a teacher or an admin."""
    if not is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user).distinct()


def is_school_admin(user, school: School) -> bool:
    if not is_signed_in(user):
        return False
    return Membership.objects.filter(user=user, school=school, role=Membership.Role.ADMIN).exists()


def is_school_staff(user) -> bool:
    """A teacher or admin at any school (not platform staff, who have no membership)."""
    return is_signed_in(user) and user.memberships.exists()


def administered_school_or_404(user, school_id) -> School:
    """The school with this id, if the user is one of its admins; otherwise 404."""
    school = schools_administered_by(user).filter(pk=school_id).first()
    if school is None:
        refuse("No such school.")
    return school


def is_parent(user) -> bool:
    if not is_signed_in(user):
        return False
    return user.guardianships.filter(confirmed_at__isnull=False, ended_at__isnull=True).exists()


def require_school_staff(user) -> None:
    """A page for teachers and school admins only: anyone else is refused (403)."""
    if not is_school_staff(user):
        forbid("This page is for school staff.")


def school_staff_or_404(user) -> None:
    """A page for teachers and school admins only, which nobody else learns exists."""
    if not is_school_staff(user):
        refuse("No such page.")
