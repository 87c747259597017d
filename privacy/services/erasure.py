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

from accounts.services import account_close, account_hold_end
from audit.services import audit_record
from privacy.registry import categories
from schools.selectors import pupils_only_held_by


@transaction.atomic
def user_erase(*, user, actor, reason: str) -> dict[str, int]:
    """Erase everything held about ``user``; returns the rows touched per category
    and ``pupils_anonymised``. Their children no one else holds are anonymised."""
    # Before the links go with the guardianships category.
    children = list(pupils_only_held_by(parent=user))
    account_close(user=user, actor=actor, reason="erased")
    counts = {found.name: found.erase(user=user) for found in categories()}
    account_hold_end(user=user)
    counts["pupils_anonymised"] = sum(
        1 for pupil in children if pupil_anonymise(pupil=pupil, actor=actor, reason="parent_erased")
    )
    audit_record(
        actor=actor, action="user.erase", subject=user, changes={"reason": reason, **counts}
    )
    return counts


@transaction.atomic
def pupil_anonymise(*, pupil, actor, reason: str) -> dict[str, int]:
    """Anonymise ``pupil``; returns the rows touched per category, or an empty
    dict when the pupil was anonymised already."""
    pupil.refresh_from_db(fields=["anonymised_at"])
    if pupil.anonymised_at is not None:
        return {}
    counts = {found.name: found.erase(pupil=pupil) for found in categories()}
    audit_record(
        actor=actor, action="pupil.anonymise", subject=pupil, changes={"reason": reason, **counts}
    )
    return counts
