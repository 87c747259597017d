"""Who handles privacy requests (access, erasure, restriction, rectification,
objection) and about whom they may be recorded.

- a school admin handles their own school's requests, and records requests made
  to the school about its own pupils and their parents (a request of another
  school, or a person who is not of the school, is a 404);
- teachers, parents and other schools' staff never see the queue (404);
- platform staff holding ``privacy.change_privacyrequest`` (the Platform staff
  group does) handle every request in the Django admin, where they see ids,
  kinds, schools, dates and status, never a pupil's or parent's name.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access.pupils import pupils_of_school_for_admin
from accounts.access.refusals import refuse
from accounts.access.roles import administered_school_or_404, is_signed_in
from accounts.models import User
from privacy.models import PrivacyRequest
from schools.models import Guardianship, Pupil, School


def privacy_requests_school_or_404(user, school_id) -> School:
    """The school whose queue the user handles: its admins only; anyone else 404."""
    return administered_school_or_404(user, school_id)


def privacy_request_of_school_or_404(user, school_id, request_id) -> PrivacyRequest:
    """One request of a school the user administers, with its school and the people
    it is about; 404 for another school's request (or none), whoever asks."""
    school = administered_school_or_404(user, school_id)
    found = (
        PrivacyRequest.objects.filter(school=school, pk=request_id)
        .select_related("school", "subject_user", "subject_pupil__school_class")
        .first()
    )
    if found is None:
        refuse("No such request.")
    return found


def privacy_request_pupils_of(user, school: School) -> QuerySet[Pupil]:
    """The pupils a request may be recorded about: the school's own (left ones
    included: the school still holds their data), never an anonymised one."""
    return pupils_of_school_for_admin(user, school)


def privacy_request_parents_of(user, school: School) -> QuerySet[User]:
    """The parents and carers a request may be recorded about: those linked (the
    link not ended) to one of the school's pupils."""
    pupils = pupils_of_school_for_admin(user, school)
    links = Guardianship.objects.filter(pupil__in=pupils.values("pk"), ended_at__isnull=True)
    return User.objects.filter(pk__in=links.values("parent_id"))


def can_handle_platform_privacy_requests(user) -> bool:
    """Platform staff who work the queue of every school in the Django admin."""
    return (
        is_signed_in(user)
        and user.is_staff
        and user.has_perm(f"{PrivacyRequest._meta.app_label}.change_privacyrequest")
    )


def can_view_platform_privacy_requests(user) -> bool:
    return (
        is_signed_in(user)
        and user.is_staff
        and user.has_perm(f"{PrivacyRequest._meta.app_label}.view_privacyrequest")
    )
