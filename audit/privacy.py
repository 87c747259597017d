"""The personal data audit holds: audit entries about or by a person, security
events, and the Django admin's own change log.

Audit entries are never deleted: erasure redacts them (every text in ``changes``,
however deeply nested, and any key that is not a code's identifier, is replaced
and ``redacted_at`` set), so the school keeps the fact that something was done,
when and by which account."""

import json
import re
from collections import Counter
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.lookup import email_lookup_hash
from accounts.models import Membership
from audit.models import AuditEntry, SecurityEvent
from privacy.registry import SCHOOL_ONLY, USER, DataCategory, iso, register
from schools.models import Pupil

REDACTED = "[redacted]"
# How many entries are read and rewritten at a time: memory stays bounded however
# many entries a family has.
BATCH = 500
# Keys of ``changes`` that hold an account's id (``{"parent": 12}``): an entry
# naming the person this way is about them, wherever its subject is.
PERSON_KEYS = ("user", "parent", "accepted_by", "account", "invited_account")
# The record of an erasure itself holds ids, counts and a reason code, and must
# survive a second run of the same erasure unchanged.
ERASURE_ACTIONS = ("user.erase", "pupil.anonymise")
# Code writes identifiers as keys; any other key (a name used as a key, say) goes too.
_CODE_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")


def redacted(value: Any) -> Any:
    """``value`` with every string inside it, at any depth, replaced, and every key
    that is not an identifier code writes; numbers, booleans and None stay, so the
    shape of what changed is kept."""
    if isinstance(value, dict):
        return {
            (key if isinstance(key, str) and _CODE_KEY.match(key) else f"{REDACTED} {number}"): (
                redacted(item)
            )
            for number, (key, item) in enumerate(value.items(), start=1)
        }
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    if isinstance(value, str):
        return REDACTED
    return value


def _about(subject) -> Q:
    return Q(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


def _schools_of(user) -> set[int]:
    """The schools where ``user`` is (or was) linked to a child, or works: where
    entries naming them in ``changes`` can be. Read before their links are deleted
    (the category's ``erase_order`` runs it first)."""
    schools = set(Pupil.objects.filter(guardianships__parent=user).values_list("school", flat=True))
    schools.update(Membership.objects.filter(user=user).values_list("school", flat=True))
    return schools


def _changes_write(batch: list[tuple[int, Any]]) -> None:
    """Write the ``changes`` of a batch of entries, given as (pk, changes), in one
    UPDATE. Django's ``bulk_update`` builds and compiles one CASE branch object per
    row, which costs far more than the update itself; the statement here is the
    same CASE, written directly."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    branches = " ".join(["WHEN %s THEN %s"] * len(batch))
    ids = ", ".join(["%s"] * len(batch))
    params = [value for pk, changes in batch for value in (pk, json.dumps(changes))]
    with connection.cursor() as cursor:
        cursor.execute(
            # Only placeholders and the table's own name are formatted in.
            f"UPDATE {table} SET changes = (CASE id {branches} END){cast} WHERE id IN ({ids})",  # noqa: S608
            [*params, *(pk for pk, _ in batch)],
        )


def redact_entries(rows) -> int:
    """Redact ``rows`` (a queryset of entries) not yet redacted, in batches: each
    entry's ``changes`` rewritten only when it holds text, then ``redacted_at`` set
    on all of them by one UPDATE. The number of entries redacted."""
    rows = rows.filter(redacted_at__isnull=True).exclude(action__in=ERASURE_ACTIONS)
    changed = []
    for pk, changes in rows.order_by().values_list("pk", "changes").iterator(chunk_size=BATCH):
        clean = redacted(changes)
        if clean != changes:
            changed.append((pk, clean))
        if len(changed) >= BATCH:
            _changes_write(changed)
            changed = []
    if changed:
        _changes_write(changed)
    return rows.update(redacted_at=timezone.now())


def _redact_owned(rows, owner_of) -> dict[int, int]:
    """For a batch erasure: redact ``rows`` not yet redacted that ``owner_of``
    (given pk, actor, subject type, subject id, school and changes) gives to a
    person of the batch, each counted for that person (the first, by id, of those
    it is about: the one whose erasure would redact it first); rows per pk."""
    rows = rows.filter(redacted_at__isnull=True).exclude(action__in=ERASURE_ACTIONS)
    fields = ("pk", "actor_id", "subject_type", "subject_id", "school_id", "changes")
    counts: Counter = Counter()
    owned, changed = [], []
    for row in rows.order_by().values_list(*fields).iterator(chunk_size=BATCH):
        owner = owner_of(*row[1:])
        if owner is None:
            continue
        counts[owner] += 1
        owned.append(row[0])
        clean = redacted(row[5])
        if clean != row[5]:
            changed.append((row[0], clean))
        if len(changed) >= BATCH:
            _changes_write(changed)
            changed = []
    if changed:
        _changes_write(changed)
    at = timezone.now()
    for start in range(0, len(owned), BATCH):
        AuditEntry.objects.filter(pk__in=owned[start : start + BATCH]).update(redacted_at=at)
    return dict(counts)


def _named(changes, key: str, ids: set[int]) -> int | None:
    value = changes.get(key) if isinstance(changes, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value in ids:
        return int(value)
    return None


@register
class AuditEntryCategory(DataCategory):
    """For a user: the entries they made, those about their account and those at
    their schools whose ``changes`` name their account (``{"parent": <id>}``). For
    a pupil: the entries about the pupil and those at the pupil's school whose
    ``changes`` name the pupil (``{"pupil": <id>}``, as learning's entries do).
    Redacting keeps the actor link and the ids (they point at rows that no longer
    say who anyone is); the link goes if the account row itself is deleted
    (SET_NULL). Runs first in a whole erasure, while the links that find the
    person's schools still exist."""

    name = "audit_entries"
    description = "Who did what on someone's behalf, and when."
    models = ("audit.AuditEntry",)
    # The school's record of who did what; a parent's own entries come with their export.
    parent_copy = SCHOOL_ONLY
    erase_order = 10

    def _rows(self, *, user=None, pupil=None):
        if user is not None:
            names = reduce(or_, (Q(**{f"changes__{key}": user.pk}) for key in PERSON_KEYS))
            return AuditEntry.objects.filter(
                Q(actor=user) | _about(user) | Q(names, school_id__in=_schools_of(user))
            )
        return AuditEntry.objects.filter(
            _about(pupil) | Q(changes__pupil=pupil.pk, school_id=pupil.school_id)
        )

    def _export(self, rows):
        return [
            {
                "action": row.action,
                "at": iso(row.at),
                "subject": row.subject_label,
                "changes": row.changes,
                "redacted_at": iso(row.redacted_at),
            }
            for row in rows.order_by("at", "pk")
        ]

    def export_user(self, user):
        return self._export(self._rows(user=user))

    def export_pupil(self, pupil):
        return self._export(self._rows(pupil=pupil))

    def erase_user(self, user):
        return redact_entries(self._rows(user=user))

    def erase_pupil(self, pupil):
        return redact_entries(self._rows(pupil=pupil))

    def erase_users(self, users):
        ids = {user.pk for user in users}
        if not ids:
            return {}
        schools: dict[int, set[int]] = {pk: set() for pk in ids}
        links = Pupil.objects.filter(guardianships__parent__in=ids)
        for parent, school in links.values_list("guardianships__parent", "school"):
            schools[parent].add(school)
        for user, school in Membership.objects.filter(user__in=ids).values_list("user", "school"):
            schools[user].add(school)
        label = users[0]._meta.label_lower
        names = reduce(or_, (Q(**{f"changes__{key}__in": list(ids)}) for key in PERSON_KEYS))
        rows = AuditEntry.objects.filter(
            Q(actor__in=ids)
            | Q(subject_type=label, subject_id__in=[str(pk) for pk in ids])
            | Q(names, school_id__in=set().union(*schools.values()))
        )

        def owner_of(actor, subject_type, subject_id, school, changes):
            found = [actor] if actor in ids else []
            if subject_type == label and subject_id.isdigit() and int(subject_id) in ids:
                found.append(int(subject_id))
            for key in PERSON_KEYS:
                named = _named(changes, key, ids)
                if named is not None and school in schools[named]:
                    found.append(named)
            return min(found, default=None)

        return _redact_owned(rows, owner_of)

    def erase_pupils(self, pupils):
        school_of = {pupil.pk: pupil.school_id for pupil in pupils}
        if not school_of:
            return {}
        label = pupils[0]._meta.label_lower
        rows = AuditEntry.objects.filter(
            Q(subject_type=label, subject_id__in=[str(pk) for pk in school_of])
            | Q(changes__pupil__in=list(school_of), school_id__in=set(school_of.values()))
        )
        ids = set(school_of)

        def owner_of(actor, subject_type, subject_id, school, changes):
            found = []
            if subject_type == label and subject_id.isdigit() and int(subject_id) in ids:
                found.append(int(subject_id))
            named = _named(changes, "pupil", ids)
            if named is not None and school == school_of[named]:
                found.append(named)
            return min(found, default=None)

        return _redact_owned(rows, owner_of)


@register
class SecurityEventCategory(DataCategory):
    """Deleted on erasure (they are deleted after 90 days anyway), including failed
    sign-ins that kept only the keyed hash of the account's email."""

    name = "security_events"
    description = "Sign-ins, second factors and refusals: when, from which address and browser."
    models = ("audit.SecurityEvent",)
    subjects = (USER,)

    def _rows(self, user):
        query = Q(user=user)
        if user.email:
            query |= Q(email_hash=email_lookup_hash(user.email))
        return SecurityEvent.objects.filter(query)

    def export_user(self, user):
        return [
            {
                "kind": row.kind,
                "at": iso(row.at),
                "ip_address": row.ip_address,
                "user_agent": row.user_agent,
            }
            for row in self._rows(user).order_by("at", "pk")
        ]

    def erase_user(self, user):
        return self._rows(user).delete()[0]


@register
class AdminLogCategory(DataCategory):
    """The admin's log of what platform staff changed. Entries about the person
    (whose ``object_repr`` is their name) are redacted, not deleted; entries a
    staff member made go with their account (the foreign key cascades)."""

    name = "admin_log"
    description = "Changes platform staff made in the admin about a person, and those staff made."
    models = ("admin.LogEntry",)
    parent_copy = SCHOOL_ONLY

    def _about(self, subject):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(subject._meta.model),
            object_id=str(subject.pk),
        )

    def _export(self, rows):
        return [
            {
                "action_time": iso(row.action_time),
                "object": row.object_repr,
                "change": row.get_change_message(),
            }
            for row in rows.order_by("action_time", "pk")
        ]

    def export_user(self, user):
        return self._export(self._about(user) | LogEntry.objects.filter(user=user))

    def export_pupil(self, pupil):
        return self._export(self._about(pupil))

    def _redact(self, rows):
        return rows.exclude(object_repr=REDACTED, change_message="").update(
            object_repr=REDACTED, change_message=""
        )

    def erase_user(self, user):
        return self._redact(self._about(user))

    def erase_pupil(self, pupil):
        return self._redact(self._about(pupil))

    def _erase_many(self, people):
        if not people:
            return {}
        rows = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(people[0]._meta.model),
            object_id__in=[str(person.pk) for person in people],
        ).exclude(object_repr=REDACTED, change_message="")
        counts = Counter(int(pk) for pk in rows.values_list("object_id", flat=True))
        if counts:
            self._redact(rows)
        return dict(counts)

    def erase_users(self, users):
        return self._erase_many(list(users))

    def erase_pupils(self, pupils):
        return self._erase_many(list(pupils))
