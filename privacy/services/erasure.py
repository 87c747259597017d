"""Erasure: a parent's right to erasure, and the anonymisation of a pupil (docs/architecture.md §6).

Both run every category of personal data the registry knows (``privacy.registry``,
in ``erasure_order``) for the person, inside one transaction, so an erasure is
whole or not at all; files are deleted from storage once it commits. Each category
works with set-based UPDATEs and DELETEs (audit entries in batches), so the number
of queries does not grow with the number of events, completions or entries.

- ``user_erase``: the account is closed (``accounts.services.account_close``:
  sessions end, pending messages are cancelled), the person's data deleted or
  anonymised, audit entries about them redacted; the account row stays, without
  name, email, mobile or password, so the rows kept without identity (completions,
  ratings, events, audit entries) keep valid links. Then each of their children is
  anonymised, unless another parent with an open account still holds the child: that
  child keeps its identity and the other parent their access and data; only this
  parent's link, comments and photos go. When the person asked for the erasure
  (``RIGHT_TO_ERASURE`` reasons: from their settings, or through a request staff
  handled) that goes for children still on roll too, whose completions the class
  keeps counting without a name; when the retention task erases an account whose
  hold has ended, a child still on roll stays with the school (docs/architecture.md §6: closing
  an account leaves the child's data to the school), and only children the school
  has removed are anonymised.
- ``pupil_anonymise``: name, UPN, Pupil Premium status, every parent link, comments,
  photos and awards go; completions, ratings and events stay, counted for the
  pupil's school and class without a name. Carers the roster named for this child
  alone, who never joined, are erased with it.

Both are idempotent: a second run finds nothing left, changes nothing and records
nothing. One audit entry per erasure (``user.erase``, ``pupil.anonymise``) holds
ids, counts and the reason code; it is never redacted.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.services import account_close
from audit.services import audit_record
from privacy.registry import PUPIL, USER, erasure_order
from privacy.selectors import erasure_is_large
from privacy.tasks import user_erase_task
from schools.selectors import children_for_erasure, contacts_only_of, pupils_held_by_others

# Reason codes, for the audit trail.
OWN_REQUEST = "own_request"
# Erasures the person asked for (themselves, or through a request staff handled):
# their children on roll are anonymised too, unless another parent holds them.
RIGHT_TO_ERASURE = frozenset({OWN_REQUEST, "request"})
PARENT_ERASED = "parent_erased"
CHILD_ANONYMISED = "child_anonymised"


def _erase(kind: str, **subject) -> dict[str, int]:
    """Every category's erasure of the person, in order: rows touched by category."""
    return {
        found.name: found.erase(**subject) for found in erasure_order() if kind in found.subjects
    }


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for name, number in counts.items():
        total[name] = total.get(name, 0) + number


def _account_erase(*, account, actor, reason: str) -> dict[str, int]:
    """Close the account (if open) and erase its data through every category."""
    account_close(user=account, actor=actor, reason=reason)
    return _erase(USER, user=account)


@transaction.atomic
def user_erase(*, user, actor, reason: str) -> dict[str, int]:
    """Erase ``user``'s personal data and anonymise each child no one else holds
    (see the module's docstring for who holds a child).

    Returns the rows touched by category, plus ``children_anonymised`` and
    ``children_kept``. ``actor`` is the person themselves, staff acting on their
    request, or None for system work; ``reason`` is a code (``"own_request"``)."""
    account = get_user_model().objects.select_for_update().get(pk=user.pk)
    # Lock the children before asking who else holds them: two parents erasing at
    # once cannot each leave the child to the other.
    children = list(children_for_erasure(parent=account).select_for_update(of=("self",)))
    held = pupils_held_by_others(pupil_ids=[child.pk for child in children], parent=account)
    if reason not in RIGHT_TO_ERASURE:  # the school keeps the children it has on roll
        held |= {child.pk for child in children if child.removed_by_school_at is None}
    counts = _account_erase(account=account, actor=actor, reason=reason)
    anonymised = [child for child in children if child.pk not in held]
    for child in anonymised:
        _add(counts, _pupil_anonymise(pupil=child, actor=actor, reason=PARENT_ERASED))
    counts["children_anonymised"] = len(anonymised)
    counts["children_kept"] = len(children) - len(anonymised)
    if any(counts.values()):
        audit_record(
            actor=actor,
            action="user.erase",
            subject=account,
            changes={
                "reason": reason,
                "children_anonymised": [child.pk for child in anonymised],
                "children_kept": sorted(held),
                "rows": counts,
            },
        )
    return counts


def _pupil_anonymise(*, pupil, actor, reason: str) -> dict[str, int]:
    contacts = list(contacts_only_of(pupil=pupil))
    counts = _erase(PUPIL, pupil=pupil)
    for contact in contacts:
        contact_counts = _account_erase(account=contact, actor=actor, reason=CHILD_ANONYMISED)
        audit_record(
            actor=actor,
            action="user.erase",
            subject=contact,
            changes={"reason": CHILD_ANONYMISED, "pupil": pupil.pk, "rows": contact_counts},
        )
        _add(counts, contact_counts)
    counts["contacts_erased"] = len(contacts)
    if any(counts.values()):
        audit_record(
            actor=actor,
            action="pupil.anonymise",
            subject=pupil,
            changes={"reason": reason, "rows": counts},
        )
    return counts


@transaction.atomic
def pupil_anonymise(*, pupil, actor, reason: str) -> dict[str, int]:
    """Anonymise ``pupil`` (docs/architecture.md §6): rows touched by category, and
    ``contacts_erased`` (carers named for this child alone who never joined)."""
    pupil = type(pupil).objects.select_for_update().get(pk=pupil.pk)
    return _pupil_anonymise(pupil=pupil, actor=actor, reason=reason)


@transaction.atomic
def user_erase_start(*, user, actor, reason: str = OWN_REQUEST) -> bool:
    """A parent's own erasure: done now (True), or, for a parent with more events
    than ``privacy.selectors.erasure.ERASE_AT_ONCE_MAX_EVENTS``, the account closed now
    (sign-in and messages stop at once) and the erasure handed to a worker after
    commit (False)."""
    if not erasure_is_large(user=user):
        user_erase(user=user, actor=actor, reason=reason)
        return True
    account_close(user=user, actor=actor, reason=reason)
    user_id = user.pk
    transaction.on_commit(lambda: user_erase_task.delay(user_id))
    return False
