"""Who may see a school's staff: that school's admins."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access.refusals import refuse
from accounts.access.roles import is_school_admin
from accounts.models import User
from schools.models import School


def staff_of_school(user, school: School) -> QuerySet[User]:
    """The staff list of a school, for that school's admins only."""
    if not is_school_admin(user, school):
        return User.objects.none()
    return User.objects.filter(memberships__school=school)


def staff_member_of_school_or_404(user, school: School, member_id) -> User:
    """A member of the school's staff, for that school's admins (who may remove
    them); anyone else gets a 404."""
    member = staff_of_school(user, school).filter(pk=member_id).distinct().first()
    if member is None:
        refuse("No such member of staff.")
    return member
