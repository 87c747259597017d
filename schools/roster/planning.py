"""Planning a parsed roster against a school's data: what importing it would change.

Planning reads in a fixed number of queries (one per table, or IN-queries in
batches of BATCH_SIZE), never one per row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models.functions import Lower

from accounts.lookup import mobile_lookup_hash
from accounts.models import User
from schools.models import Guardianship, Pupil, School, SchoolClass, current_academic_year
from schools.roster.parsing import LinkEntry, ParsedRoster, PupilEntry, RowIssue

BATCH_SIZE = 500
T = TypeVar("T")
# (stage, done, total): stage "reading" counts rows (total 0: not yet known),
# stage "writing" counts rows written out of the plan's writes.
Progress = Callable[[str, int, int], None]


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class RosterPlan:
    parsed: ParsedRoster
    academic_year: int
    class_ids: dict[str, int] = field(default_factory=dict)
    classes_to_create: dict[str, int | None] = field(default_factory=dict)
    pupil_ids: dict[str, int] = field(default_factory=dict)
    pupils_to_create: list[PupilEntry] = field(default_factory=list)
    pupils_to_update: list[tuple[int, PupilEntry]] = field(default_factory=list)
    pupils_unchanged: int = 0
    pupils_to_remove: list[int] = field(default_factory=list)
    contact_users: dict[int, int] = field(default_factory=dict)
    contacts_to_create: list[int] = field(default_factory=list)
    links_to_create: list[LinkEntry] = field(default_factory=list)
    links_to_update: list[tuple[int, LinkEntry]] = field(default_factory=list)
    links_unchanged: int = 0

    @property
    def update_fields(self) -> list[str]:
        """The pupil fields the file speaks for; a column it lacks is left alone."""
        columns = self.parsed.columns
        fields = ["upn", "upn_hash", "first_name", "last_name", "removed_by_school_at"]
        if "year_group" in columns:
            fields.append("year_group")
        if "class_name" in columns:
            fields.append("school_class")
        if "pupil_premium" in columns:
            fields.append("pupil_premium")
        return [*fields, "updated_at"]

    @property
    def write_count(self) -> int:
        return (
            len(self.classes_to_create)
            + len(self.contacts_to_create)
            + len(self.pupils_to_create)
            + len(self.pupils_to_update)
            + len(self.pupils_to_remove)
            + len(self.links_to_create)
            + len(self.links_to_update)
        )


@dataclass
class RosterResult:
    """What an import did (or, for a check, would do)."""

    applied: bool
    row_count: int
    summary: dict[str, int]
    errors: list[RowIssue]
    warnings: list[RowIssue]
    ignored_columns: list[str]

    @property
    def changes(self) -> int:
        keys = (
            "classes_create",
            "pupils_create",
            "pupils_update",
            "pupils_remove",
            "parents_create",
            "links_create",
            "links_update",
        )
        return sum(self.summary[key] for key in keys)


def class_for(plan: RosterPlan, entry: PupilEntry) -> int | None:
    return plan.class_ids.get(entry.class_name) if entry.class_name else None


def _pupil_differs(plan: RosterPlan, entry: PupilEntry, existing: dict) -> bool:
    columns = plan.parsed.columns
    return (
        existing["upn"] != entry.upn
        or existing["first_name"] != entry.first_name
        or existing["last_name"] != entry.last_name
        or existing["removed_by_school_at"] is not None
        or ("year_group" in columns and existing["year_group"] != entry.year_group)
        or ("pupil_premium" in columns and existing["pupil_premium"] != entry.pupil_premium)
        or (
            "class_name" in columns
            and (
                (entry.class_name and entry.class_name not in plan.class_ids)
                or existing["school_class_id"] != class_for(plan, entry)
            )
        )
    )


def _plan_classes(plan: RosterPlan, school: School) -> None:
    if "class_name" not in plan.parsed.columns:
        return
    plan.class_ids = dict(
        SchoolClass.objects.filter(school=school, academic_year=plan.academic_year).values_list(
            "name", "pk"
        )
    )
    year_groups: dict[str, Counter] = {}
    for entry in plan.parsed.pupils.values():
        if entry.class_name and entry.class_name not in plan.class_ids:
            year_groups.setdefault(entry.class_name, Counter())[entry.year_group] += 1
    for name, counts in year_groups.items():
        # A class takes its pupils' year group; a mixed-age class has none.
        plan.classes_to_create[name] = next(iter(counts)) if len(counts) == 1 else None


def _plan_pupils(plan: RosterPlan, school: School, remove_missing: bool) -> None:
    wanted = plan.parsed.pupils
    seen = plan.parsed.seen_upn_hashes
    existing_pupils = (
        Pupil.objects.filter(school=school, anonymised_at__isnull=True, upn_hash__isnull=False)
        .values(
            "pk",
            "upn",
            "upn_hash",
            "first_name",
            "last_name",
            "year_group",
            "school_class_id",
            "pupil_premium",
            "removed_by_school_at",
        )
        .iterator(chunk_size=2000)
    )
    for existing in existing_pupils:
        entry = wanted.get(existing["upn_hash"])
        if entry is not None:
            plan.pupil_ids[entry.upn_hash] = existing["pk"]
            if _pupil_differs(plan, entry, existing):
                plan.pupils_to_update.append((existing["pk"], entry))
            else:
                plan.pupils_unchanged += 1
        elif (
            remove_missing
            and existing["removed_by_school_at"] is None
            and existing["upn_hash"] not in seen
        ):
            plan.pupils_to_remove.append(existing["pk"])
    plan.pupils_to_create = [
        entry for upn_hash, entry in wanted.items() if upn_hash not in plan.pupil_ids
    ]


def _plan_parents(plan: RosterPlan) -> None:
    contacts = plan.parsed.contacts
    user_by_email: dict[str, int] = {}
    for batch in batched(plan.parsed.contacts_by_email):
        rows = (
            User.objects.filter(email__isnull=False)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=batch)
            .values_list("email_lower", "pk")
        )
        user_by_email.update(rows)
    unmatched: dict[str, list[int]] = {}
    for index, contact in enumerate(contacts):
        if contact.email is not None and contact.email in user_by_email:
            plan.contact_users[index] = user_by_email[contact.email]
        elif contact.mobile is not None:
            unmatched.setdefault(mobile_lookup_hash(contact.mobile), []).append(index)
        else:
            plan.contacts_to_create.append(index)
    for batch in batched(unmatched):
        users_by_mobile: dict[str, list[tuple[int, str | None]]] = {}
        rows = (
            User.objects.filter(mobile_hash__in=batch)
            .order_by("pk")
            .values_list("mobile_hash", "pk", "email")
        )
        for mobile_hash, pk, email in rows:
            users_by_mobile.setdefault(mobile_hash, []).append((pk, email))
        for mobile_hash in batch:
            candidates = users_by_mobile.get(mobile_hash, [])
            for index in unmatched[mobile_hash]:
                # The same mobile is the same person, unless both have different emails.
                match = next(
                    (
                        pk
                        for pk, email in candidates
                        if email is None or contacts[index].email is None
                    ),
                    None,
                )
                if match is None:
                    plan.contacts_to_create.append(index)
                else:
                    plan.contact_users[index] = match
    plan.contacts_to_create.sort()


def _plan_links(plan: RosterPlan) -> None:
    columns = plan.parsed.columns
    existing: dict[tuple[int, int], tuple[int, str, bool]] = {}
    for batch in batched(set(plan.pupil_ids.values())):
        rows = Guardianship.objects.filter(pupil_id__in=batch).values_list(
            "pupil_id", "parent_id", "pk", "relationship", "parental_responsibility"
        )
        for pupil_id, parent_id, pk, relationship, responsibility in rows:
            existing[(pupil_id, parent_id)] = (pk, relationship, responsibility)
    planned: set[tuple[str, object]] = set()
    for link in plan.parsed.links.values():
        user_id = plan.contact_users.get(link.contact)
        # Two contacts in the file may be one existing account: link it once.
        parent_key = ("user", user_id) if user_id is not None else ("contact", link.contact)
        if (link.upn_hash, parent_key) in planned:
            continue
        planned.add((link.upn_hash, parent_key))
        pupil_id = plan.pupil_ids.get(link.upn_hash)
        current = existing.get((pupil_id, user_id)) if pupil_id and user_id else None
        if current is None:
            plan.links_to_create.append(link)
            continue
        pk, relationship, responsibility = current
        if ("relationship" in columns and relationship != link.relationship) or (
            "parental_responsibility" in columns and responsibility != link.parental_responsibility
        ):
            plan.links_to_update.append((pk, link))
        else:
            plan.links_unchanged += 1


def roster_plan(*, school: School, parsed: ParsedRoster, remove_missing: bool) -> RosterPlan:
    """What importing this parsed file into the school would change."""
    plan = RosterPlan(parsed=parsed, academic_year=current_academic_year())
    _plan_classes(plan, school)
    _plan_pupils(plan, school, remove_missing)
    _plan_parents(plan)
    _plan_links(plan)
    return plan


def plan_result(plan: RosterPlan, *, applied: bool) -> RosterResult:
    parsed = plan.parsed
    summary = {
        "rows": parsed.row_count,
        "classes_create": len(plan.classes_to_create),
        "pupils_create": len(plan.pupils_to_create),
        "pupils_update": len(plan.pupils_to_update),
        "pupils_unchanged": plan.pupils_unchanged,
        "pupils_remove": len(plan.pupils_to_remove),
        "parents_create": len(plan.contacts_to_create),
        "parents_existing": len(set(plan.contact_users.values())),
        "links_create": len(plan.links_to_create),
        "links_update": len(plan.links_to_update),
        "links_unchanged": plan.links_unchanged,
        "errors": len(parsed.errors),
        "warnings": len(parsed.warnings),
    }
    return RosterResult(
        applied=applied,
        row_count=parsed.row_count,
        summary=summary,
        errors=parsed.errors,
        warnings=parsed.warnings,
        ignored_columns=parsed.ignored_columns,
    )
