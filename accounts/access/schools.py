"""Who may change a school's settings (its admins), and who may take a school
off the portal (platform staff allowed to offboard).

A teacher at the school knows it exists, so they are refused (403); anyone else
gets a 404, as for any school that is not theirs.
"""

from __future__ import annotations

from accounts.access.refusals import forbid, refuse
from accounts.access.roles import is_signed_in, schools_administered_by, schools_staffed_by
from schools.models import School


def school_settings_or_refuse(user, school_id) -> School:
    """The school whose settings the user may change; 403 for its other staff, 404
    for everyone else."""
    school = schools_administered_by(user).filter(pk=school_id).first()
    if school is not None:
        return school
    if schools_staffed_by(user).filter(pk=school_id).exists():
        forbid("Only the school's admins change its settings.")
    refuse("No such school.")


def can_offboard_school(user) -> bool:
    """Platform staff holding ``schools.offboard_school`` (the Platform staff group
    does): changing a school's details is not enough to take it off the portal."""
    return is_signed_in(user) and user.is_staff and user.has_perm("schools.offboard_school")
