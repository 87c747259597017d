"""Checking (a dry run) and applying a roster file.

Applying re-plans inside one transaction, with the school row locked so that two
imports for one school never interleave, and writes with bulk operations in
batches. A row with an error is skipped; everything else is written, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.lookup import mobile_lookup_hash
from accounts.models import User
from audit.services import audit_record
from schools.models import Guardianship, Pupil, School, SchoolClass
from schools.offboarded import refuse_if_offboarded
from schools.roster.parsing import LinkEntry, PupilEntry, parse_roster
from schools.roster.planning import (
    BATCH_SIZE,
    Progress,
    RosterPlan,
    RosterResult,
    batched,
    class_for,
    plan_result,
    roster_plan,
)
from schools.services.leavers import Reason, pupils_remove


def _reading(progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda rows: progress("reading", rows, 0)


def roster_check(
    *, school: School, content: bytes, remove_missing: bool, progress: Progress | None = None
) -> RosterResult:
    """A dry run: what importing the file would do. Writes nothing. Raises
    SchoolOffboardedError for a school that has left the portal."""
    refuse_if_offboarded(school)
    parsed = parse_roster(content, progress=_reading(progress))
    plan = roster_plan(school=school, parsed=parsed, remove_missing=remove_missing)
    return plan_result(plan, applied=False)


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

    ``actor`` is the admin importing (None from the command line). Raises
    SchoolOffboardedError for a school that has left the portal.
    """
    parsed = parse_roster(content, progress=_reading(progress))
    # Serialise imports for one school (the plan must still hold when written),
    # and with offboarding: a school that has left takes no roster.
    refuse_if_offboarded(school, lock=True)
    plan = roster_plan(school=school, parsed=parsed, remove_missing=remove_missing)
    _Writer(plan, school, actor, progress).write()
    written = len(plan.pupils_to_create) + len(plan.contacts_to_create) + len(plan.links_to_create)
    if written >= settings.ROSTER_BACKGROUND_ROWS:
        transaction.on_commit(planner_statistics_refresh, robust=True)
    result = plan_result(plan, applied=True)
    # Counts only: the rows themselves name pupils and parents.
    audit_record(
        actor=actor,
        action="roster.apply",
        subject=school,
        changes={"remove_missing": remove_missing, **result.summary},
    )
    return result


# The tables a roster import fills. Without fresh statistics PostgreSQL plans the
# next queries over a school's thousands of new rows (inviting its families, say)
# as if the tables were nearly empty, until autovacuum gets round to them.
IMPORTED_TABLES = (User._meta.db_table, Pupil._meta.db_table, Guardianship._meta.db_table)


def planner_statistics_refresh() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in IMPORTED_TABLES)
        )


class _Writer:
    """Writes a plan with bulk operations in batches, reporting progress per batch."""

    def __init__(
        self, plan: RosterPlan, school: School, actor: User | None, progress: Progress | None
    ):
        self.plan = plan
        self.actor = actor
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
            school_class_id=class_for(self.plan, entry),
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
        # The one rule for leavers: marked removed in batches, their parents told.
        pupils = self.plan.pupils_to_remove
        if pupils:
            pupils_remove(
                school=self.school, pupil_ids=pupils, actor=self.actor, reason=Reason.ROSTER
            )
            self.advance(len(pupils))

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
