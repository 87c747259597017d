"""Erasure in batches, for the retention task: ``users_erase`` and
``pupils_anonymise`` do for several accounts or pupils at once what ``user_erase``
and ``pupil_anonymise`` (``privacy.services.erasure``) do for one, with the same
outcome for each and the same audit entries (one ``user.erase`` or
``pupil.anonymise`` per account or pupil, with its ids and counts).

Each category erases the whole batch in a few set-based statements
(``DataCategory.erase_users``/``erase_pupils``), so a batch costs about as many
statements as one person. A batch is whole or not at all: it runs in the caller's
transaction (the retention task gives it a savepoint, and when it fails does each
person alone with the single-person services, so one that fails fails alone).

A child of two parents erased in the same batch is anonymised once, in the entry
of the first of them (by id), as erasing them one after the other would do.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.services import accounts_close
from audit.services import audit_record
from privacy.registry import PUPIL, USER, erasure_order
from privacy.services.erasure import CHILD_ANONYMISED, PARENT_ERASED, RIGHT_TO_ERASURE, _add
from schools.selectors import (
    children_of_parents,
    contacts_only_of_pupils,
    pupils_held_by_open_parents,
)


def _erase_batch(kind: str, people: list) -> dict[int, dict[str, int]]:
    """Every category's erasure of ``people``, in order: rows touched by category,
    per person's pk."""
    rows: dict[int, dict[str, int]] = {person.pk: {} for person in people}
    if not people:
        return rows
    for found in erasure_order():
        if kind not in found.subjects:
            continue
        touched = found.erase_users(people) if kind == USER else found.erase_pupils(people)
        for pk, counts in rows.items():
            counts[found.name] = touched.get(pk, 0)
    return rows


def _accounts_erase(*, accounts: list, actor, reason: str) -> dict[int, dict[str, int]]:
    """Close the accounts still open and erase their data through every category."""
    accounts_close(
        users=[account for account in accounts if account.closed_at is None],
        actor=actor,
        reason=reason,
    )
    return _erase_batch(USER, accounts)


@transaction.atomic
def users_erase(*, users, actor, reason: str) -> dict[int, dict[str, int]]:
    """``user_erase`` for each of ``users``: rows touched by category, per user's pk."""
    accounts = list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk__in=[user.pk for user in users])
        .order_by("pk")
    )
    ids = [account.pk for account in accounts]
    # Locked before asking who else holds them, as ``user_erase`` does.
    links = list(children_of_parents(parent_ids=ids).select_for_update(of=("self",)))
    counts = _accounts_erase(accounts=accounts, actor=actor, reason=reason)
    # Every account of the batch is closed now: none of them holds a child.
    held = pupils_held_by_open_parents(pupil_ids=[child.pk for child in links])
    if reason not in RIGHT_TO_ERASURE:  # the school keeps the children it has on roll
        held |= {child.pk for child in links if child.removed_by_school_at is None}
    children: dict[int, list] = {pk: [] for pk in ids}
    anonymised: dict[int, list] = {pk: [] for pk in ids}
    to_anonymise = {}
    for child in links:
        children[child.erasing_parent].append(child.pk)
        if child.pk not in held and child.pk not in to_anonymise:
            to_anonymise[child.pk] = child
            anonymised[child.erasing_parent].append(child.pk)
    pupil_counts = _pupils_anonymise(
        pupils=list(to_anonymise.values()), actor=actor, reason=PARENT_ERASED
    )
    for account in accounts:
        total = counts[account.pk]
        for pk in anonymised[account.pk]:
            _add(total, pupil_counts[pk])
        kept = sorted(held.intersection(children[account.pk]))
        total["children_anonymised"] = len(anonymised[account.pk])
        total["children_kept"] = len(kept)
        if any(total.values()):
            audit_record(
                actor=actor,
                action="user.erase",
                subject=account,
                changes={
                    "reason": reason,
                    "children_anonymised": anonymised[account.pk],
                    "children_kept": kept,
                    "rows": total,
                },
            )
    return counts


def _pupils_anonymise(*, pupils: list, actor, reason: str) -> dict[int, dict[str, int]]:
    # Read before the pupils' links go.
    contacts = {}
    for pupil_id, contact in contacts_only_of_pupils(pupil_ids=[pupil.pk for pupil in pupils]):
        contacts.setdefault(contact.pk, (pupil_id, contact))
    counts = _erase_batch(PUPIL, pupils)
    erased = _accounts_erase(
        accounts=[contact for _, contact in contacts.values()],
        actor=actor,
        reason=CHILD_ANONYMISED,
    )
    erased_for: dict[int, int] = {}
    for pupil_id, contact in contacts.values():
        audit_record(
            actor=actor,
            action="user.erase",
            subject=contact,
            changes={"reason": CHILD_ANONYMISED, "pupil": pupil_id, "rows": erased[contact.pk]},
        )
        _add(counts[pupil_id], erased[contact.pk])
        erased_for[pupil_id] = erased_for.get(pupil_id, 0) + 1
    for pupil in pupils:
        counts[pupil.pk]["contacts_erased"] = erased_for.get(pupil.pk, 0)
        if any(counts[pupil.pk].values()):
            audit_record(
                actor=actor,
                action="pupil.anonymise",
                subject=pupil,
                changes={"reason": reason, "rows": counts[pupil.pk]},
            )
    return counts


@transaction.atomic
def pupils_anonymise(*, pupils, actor, reason: str) -> dict[int, dict[str, int]]:
    """``pupil_anonymise`` for each of ``pupils``: rows touched by category, and
    ``contacts_erased``, per pupil's pk."""
    pupils = list(pupils)
    if not pupils:
        return {}
    rows = type(pupils[0]).objects.select_for_update().filter(pk__in=[p.pk for p in pupils])
    return _pupils_anonymise(pupils=list(rows.order_by("pk")), actor=actor, reason=reason)
