"""Planning a parsed roster against a school's data, and applying the plan.

Planning reads in a fixed number of queries (IN-queries in batches, never one per
row) and says what would change. Applying re-plans inside one transaction, with
the school row locked so two imports for a school never interleave, and writes
with bulk operations in batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.lookup import mobile_lookup_hash
from accounts.models import User
from schools.models import Guardianship, Pupil, School, SchoolClass, current_academic_year
from schools.roster.parsing import LinkEntry, ParsedRoster, PupilEntry, RowIssue, parse_roster

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


def _class_for(plan: RosterPlan, entry: PupilEntry) -> int | None:
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
                or existing["school_class_id"] != _class_for(plan, entry)
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
            .alias(email_lower=Lower("email"))
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


def _result(plan: RosterPlan, *, applied: bool) -> RosterResult:
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


def _reading(progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda rows: progress("reading", rows, 0)


def roster_check(
    *, school: School, content: bytes, remove_missing: bool, progress: Progress | None = None
) -> RosterResult:
    """A dry run: what importing the file would do. Writes nothing."""
    parsed = parse_roster(content, progress=_reading(progress))
    plan = roster_plan(school=school, parsed=parsed, remove_missing=remove_missing)
    return _result(plan, applied=False)


@transaction.atomic
def roster_apply(
    *,
    school: School,
    content: bytes,
    remove_missing: bool,
    actor: User | None,
    progress: Progress | None = None,
) -> RosterResult:
    """Import the file: every valid row in one transaction; rows with errors are skipped.

    ``actor`` is the admin importing (None from the command line).
    """
    parsed = parse_roster(content, progress=_reading(progress))
    # Serialise imports for one school: the plan must still hold when written.
    School.objects.select_for_update().filter(pk=school.pk).first()
    plan = roster_plan(school=school, parsed=parsed, remove_missing=remove_missing)
    _Writer(plan, school, progress).write()
    return _result(plan, applied=True)


class _Writer:
    """Writes a plan with bulk operations in batches, reporting progress per batch."""

    def __init__(self, plan: RosterPlan, school: School, progress: Progress | None):
        self.plan = plan
        self.school = school
        self.progress = progress
        self.done = 0
        self.total = plan.write_count
        self.now = timezone.now()
        self.user_ids = dict(plan.contact_users)

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress("writing", self.done, self.total)

    def write(self) -> None:
        self.create_classes()
        self.create_parents()
        self.create_pupils()
        self.update_pupils()
        self.remove_pupils()
        self.create_links()
        self.update_links()

    def create_classes(self) -> None:
        plan = self.plan
        if not plan.classes_to_create:
            return
        classes = [
            SchoolClass(
                school=self.school,
                name=name,
                year_group=year_group,
                academic_year=plan.academic_year,
            )
            for name, year_group in plan.classes_to_create.items()
        ]
        SchoolClass.objects.bulk_create(classes, batch_size=BATCH_SIZE)
        if any(school_class.pk is None for school_class in classes):
            # A database that cannot return new keys from a bulk insert.
            classes = SchoolClass.objects.filter(
                school=self.school,
                academic_year=plan.academic_year,
                name__in=list(plan.classes_to_create),
            )
        plan.class_ids.update((school_class.name, school_class.pk) for school_class in classes)
        self.advance(len(plan.classes_to_create))

    def create_parents(self) -> None:
        contacts = self.plan.parsed.contacts
        for batch in batched(self.plan.contacts_to_create):
            users = []
            for index in batch:
                contact = contacts[index]
                # Imported parents register later, through an invitation.
                users.append(
                    User(
                        email=contact.email,
                        first_name=contact.first_name,
                        last_name=contact.last_name,
                        mobile=contact.mobile or "",
                        mobile_hash=mobile_lookup_hash(contact.mobile) if contact.mobile else "",
                        is_active=False,
                        password=make_password(None),
                        date_joined=self.now,
                    )
                )
            User.objects.bulk_create(users)
            if any(user.pk is None for user in users):
                raise RuntimeError("The database did not return the new users' keys.")
            self.user_ids.update(zip(batch, (user.pk for user in users), strict=True))
            self.advance(len(batch))

    def _pupil(self, entry: PupilEntry, **fields) -> Pupil:
        return Pupil(
            upn=entry.upn,
            upn_hash=entry.upn_hash,
            first_name=entry.first_name,
            last_name=entry.last_name,
            year_group=entry.year_group,
            school_class_id=_class_for(self.plan, entry),
            pupil_premium=entry.pupil_premium,
            updated_at=self.now,
            **fields,
        )

    def create_pupils(self) -> None:
        plan = self.plan
        for batch in batched(plan.pupils_to_create):
            # bulk_create skips Pupil.save(): upn_hash is set explicitly above.
            pupils = [
                self._pupil(entry, school=self.school, created_at=self.now) for entry in batch
            ]
            Pupil.objects.bulk_create(pupils)
            if any(pupil.pk is None for pupil in pupils):
                raise RuntimeError("The database did not return the new pupils' keys.")
            plan.pupil_ids.update((pupil.upn_hash, pupil.pk) for pupil in pupils)
            self.advance(len(batch))

    def update_pupils(self) -> None:
        fields = self.plan.update_fields
        for batch in batched(self.plan.pupils_to_update):
            pupils = [self._pupil(entry, pk=pk, removed_by_school_at=None) for pk, entry in batch]
            Pupil.objects.bulk_update(pupils, fields)
            self.advance(len(batch))

    def remove_pupils(self) -> None:
        for batch in batched(self.plan.pupils_to_remove):
            Pupil.objects.filter(pk__in=batch, removed_by_school_at__isnull=True).update(
                removed_by_school_at=self.now, updated_at=self.now
            )
            self.advance(len(batch))

    def _parent_id(self, link: LinkEntry) -> int:
        return self.user_ids[link.contact]

    def create_links(self) -> None:
        plan = self.plan
        for batch in batched(plan.links_to_create):
            # Unconfirmed until the parent accepts an invitation.
            Guardianship.objects.bulk_create(
                [
                    Guardianship(
                        parent_id=self._parent_id(link),
                        pupil_id=plan.pupil_ids[link.upn_hash],
                        relationship=link.relationship,
                        parental_responsibility=link.parental_responsibility,
                        confirmed_at=None,
                        created_at=self.now,
                    )
                    for link in batch
                ]
            )
            self.advance(len(batch))

    def update_links(self) -> None:
        columns = self.plan.parsed.columns
        fields = [name for name in ("relationship", "parental_responsibility") if name in columns]
        for batch in batched(self.plan.links_to_update):
            Guardianship.objects.bulk_update(
                [
                    Guardianship(
                        pk=pk,
                        relationship=link.relationship,
                        parental_responsibility=link.parental_responsibility,
                    )
                    for pk, link in batch
                ],
                fields,
            )
            self.advance(len(batch))
