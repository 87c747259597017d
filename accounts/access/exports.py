"""Who may export data: a school's admins export their school's data (the whole
school, or one pupil answering a request); everyone may download their own.

A teacher at the school knows it exists, so they are refused (403) whichever
pupil they ask for; anyone else (another school's admin, a parent, platform
staff) gets a 404, as for any school that is not theirs.
"""

from __future__ import annotations

from accounts.access.pupils import pupils_of_school_for_admin, record_pupil_opened
from accounts.access.refusals import forbid, refuse
from accounts.access.roles import is_school_admin, schools_administered_by, schools_staffed_by
from schools.models import Pupil, School


def can_export_school_data(user, school: School) -> bool:
    """The school's whole export, and any of its pupils' data: its admins only."""
    return is_school_admin(user, school)


def school_for_export_or_refuse(user, school_id) -> School:
    """The school whose data the user may export; 403 for its other staff, 404 for
    everyone else."""
    school = schools_administered_by(user).filter(pk=school_id).first()
    if school is not None:
        return school
    if schools_staffed_by(user).filter(pk=school_id).exists():
        forbid("Only the school's admins export its data.")
    refuse("No such school.")


def pupil_for_export_or_refuse(user, school_id, pupil_id) -> Pupil:
    """A pupil of the school (on roll or left), for the school's admins; opening
    the pupil's data is recorded as staff opening a pupil's record."""
    school = school_for_export_or_refuse(user, school_id)
    # A leaver is out of staff's pages, but the school still answers a request
    # about them (from the request's page), so the export reaches them too.
    pupil = (
        pupils_of_school_for_admin(user, school)
        .select_related("school", "school_class")
        .filter(pk=pupil_id)
        .first()
    )
    if pupil is None:
        refuse("No such pupil.")
    record_pupil_opened(user, pupil)
    return pupil
