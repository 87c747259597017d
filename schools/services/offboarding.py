"""A school leaves the portal (offboarding), once platform staff have offered it
its export.

In one transaction, with the school's row locked: the school is marked
offboarded, so from then on it takes no new data (``schools.offboarded``); its
live invitations are revoked; every pupil on roll is removed by the school, as a
leaver is (``pupils_remove``: the parents keep their access and each parent who
joined is told once); its staff lose their roles there, and the accounts of
those for whom it was the only school are closed (``account_close``). What no
parent still holds is then deleted by the retention task's both-removed rule.
Running it again finds nothing left to do and tells nobody twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services import account_close
from accounts.services.closing import SCHOOL_OFFBOARDED
from audit.services import audit_record
from invitations.models import Invitation
from invitations.tokens import invitation_reference
from notifications.services import messages_cancel_superseded
from schools.models import Pupil, School, SchoolClass
from schools.roster.planning import batched
from schools.selectors import offboarding_staff
from schools.services.leavers import Reason, pupils_remove


@dataclass(frozen=True)
class OffboardingResult:
    staff_closed: int
    staff_kept: int
    pupils_removed: int
    parents_told: int
    invitations_revoked: int


def _invitations_revoke(school: School, now) -> int:
    """Revoke the school's live invitations (their links stop working) and cancel
    their messages still waiting, a batch at a time."""
    live = Invitation.objects.filter(school=school, status__in=Invitation.LIVE_STATUSES)
    revoked = 0
    for batch in batched(list(live.values_list("pk", flat=True))):
        revoked += Invitation.objects.filter(pk__in=batch).update(
            status=Invitation.Status.REVOKED, revoked_at=now
        )
        messages_cancel_superseded(references=[invitation_reference(pk) for pk in batch])
    return revoked


def _staff_remove(school: School, *, actor: User, now) -> tuple[int, int]:
    """End every role at the school; close the accounts for which it was the only
    school. Returns (accounts closed, accounts kept)."""
    staff = offboarding_staff(school=school)
    SchoolClass.teachers.through.objects.filter(schoolclass__school=school).delete()
    Membership.objects.filter(school=school).delete()
    closed = 0
    for user in User.objects.filter(pk__in=staff.to_close).order_by("pk"):
        closed += account_close(user=user, actor=actor, reason=SCHOOL_OFFBOARDED, now=now)
    return closed, len(staff.to_keep)


@transaction.atomic
def school_offboard(*, school: School, actor: User) -> OffboardingResult:
    """Take ``school`` off the portal; returns what was done, in counts.

    The school's row is locked first: a roster import or invitation for it
    waits, then finds it offboarded and is refused.
    """
    school = School.objects.select_for_update().get(pk=school.pk)
    now = timezone.now()
    first_time = school.status != School.Status.OFFBOARDED
    if first_time:
        school.status = School.Status.OFFBOARDED
        school.save(update_fields=["status"])
    invitations_revoked = _invitations_revoke(school, now)
    staff_closed, staff_kept = _staff_remove(school, actor=actor, now=now)
    on_roll = Pupil.objects.filter(
        school=school, removed_by_school_at__isnull=True, anonymised_at__isnull=True
    )
    # Ids only: a whole school's pupils are a few kilobytes of integers.
    pupil_ids = list(on_roll.values_list("pk", flat=True))
    removal = pupils_remove(
        school=school, pupil_ids=pupil_ids, actor=actor, reason=Reason.SCHOOL_OFFBOARDED
    )
    result = OffboardingResult(
        staff_closed=staff_closed,
        staff_kept=staff_kept,
        pupils_removed=removal.removed,
        parents_told=removal.parents_told,
        invitations_revoked=invitations_revoked,
    )
    counts = asdict(result)
    if first_time or any(counts.values()):
        audit_record(
            actor=actor,
            action="school.offboard",
            subject=school,
            changes={"first_time": first_time, **counts},
        )
    return result
