"""Erasing a person: every registered category of personal data erases what it
holds about them, in one transaction.

``user_erase`` erases an account's data (the row stays, anonymised and closed, so
the rows kept without identity stay consistent) and then anonymises each of
their children that the school has removed and no other open parent account
holds. ``pupil_anonymise`` anonymises one child as DESIGN §6 says, through the
categories (name, parent links, UPN, photos and comments go; completion counts
and ratings stay without identity). Both are idempotent and audited with counts.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from privacy.registry import categories
from schools.models import Guardianship, Pupil


def _held_by_someone_else(pupil_id: int, user: User) -> bool:
    """The school still has the child on roll, or another open parent account holds it."""
    pupil = Pupil.objects.get(pk=pupil_id)
    if pupil.removed_by_school_at is None:
        return True
    return (
        Guardianship.objects.filter(
            pupil_id=pupil_id,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__is_active=True,
            parent__closed_at__isnull=True,
        )
        .exclude(parent=user)
        .exists()
    )


@transaction.atomic
def user_erase(*, user: User, actor: User | None, reason: str) -> dict[str, int]:
    """Erase everything held about ``user``; returns the rows touched per category
    (and ``pupils_anonymised``). Their children no one else holds are anonymised."""
    user = User.objects.select_for_update().get(pk=user.pk)
    children = list(
        Guardianship.objects.filter(parent=user, pupil__anonymised_at__isnull=True).values_list(
            "pupil_id", flat=True
        )
    )
    counts = {found.name: found.erase(user=user) for found in categories()}
    now = timezone.now()
    User.objects.filter(pk=user.pk, closed_at__isnull=True).update(closed_at=now)
    User.objects.filter(pk=user.pk).update(is_active=False, closure_notice_at=None)
    anonymised = 0
    for pupil_id in children:
        if not _held_by_someone_else(pupil_id, user):
            pupil = Pupil.objects.get(pk=pupil_id)
            if pupil_anonymise(pupil=pupil, actor=actor, reason="parent_erased"):
                anonymised += 1
    counts["pupils_anonymised"] = anonymised
    audit_record(
        actor=actor, action="user.erase", subject=user, changes={"reason": reason, **counts}
    )
    return counts


@transaction.atomic
def pupil_anonymise(*, pupil: Pupil, actor: User | None, reason: str) -> dict[str, int]:
    """Anonymise ``pupil``; returns the rows touched per category, or an empty
    dict when the pupil was anonymised already."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.anonymised_at is not None:
        return {}
    counts = {found.name: found.erase(pupil=pupil) for found in categories()}
    Pupil.objects.filter(pk=pupil.pk, anonymised_at__isnull=True).update(
        first_name="", last_name="", upn="", upn_hash=None, anonymised_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="pupil.anonymise",
        subject=pupil,
        changes={"reason": reason, **counts},
    )
    return counts
