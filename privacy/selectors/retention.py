"""What the retention task has to do, and when: the accounts and pupils due for
each step at a given moment, and the state of its last run.

The rules are querysets of the apps that own the data, used both by the run
(``privacy.services.retention``) and by its dry run, so the two cannot disagree:

- a parent inactive for 11 months gets a closure notice
  (``accounts.selectors.accounts_due_closure_notice``);
- one still inactive at 12 months, whose notice went at least 30 days ago, is
  closed (``accounts_due_closing``);
- a closed account is erased once its ``delete_after`` has passed
  (``accounts_due_deletion``);
- a pupil the school removed, with no open parent account linked, is anonymised
  ``BOTH_REMOVED_DAYS`` after the later of the removal, the last parent link
  ending and the last parent account closing (``schools.selectors.pupils_both_removed``);
- a contact the school imported who never joined, once no child is linked to
  them any more, is erased with them (``accounts.selectors.contacts_unused_unlinked``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.selectors import (
    CLOSE_AFTER,
    NOTICE_AFTER,
    NOTICE_DAYS,
    accounts_due_closing,
    accounts_due_closure_notice,
    accounts_due_deletion,
    accounts_held,
    closure_date,
    contacts_unused_unlinked,
    parents_noticed,
    parents_without_notice,
)
from privacy.models import RetentionRun
from schools.selectors import pupils_both_removed

BOTH_REMOVED_DAYS = 90
# How far ahead the dry run looks.
UPCOMING_DAYS = 30
# A daily run, with room for one that runs late: past this, the run is missing.
LATE_AFTER = timedelta(hours=36)

NOTICES = "notices"
CLOSURES = "closures"
DELETIONS = "deletions"
PUPILS = "pupils"
CONTACTS = "contacts"
STEPS = (NOTICES, CLOSURES, DELETIONS, PUPILS, CONTACTS)
STEP_LABELS = {
    NOTICES: "Closure notices sent",
    CLOSURES: "Inactive accounts closed",
    DELETIONS: "Closed accounts deleted",
    PUPILS: "Pupils anonymised",
    CONTACTS: "Unused imported contacts deleted",
}


def pupils_due(*, now: datetime) -> QuerySet:
    return pupils_both_removed().filter(
        both_removed_at__lte=now - timedelta(days=BOTH_REMOVED_DAYS)
    )


def due(step: str, *, now: datetime) -> QuerySet:
    """The accounts or pupils due for ``step`` at ``now``."""
    return {
        NOTICES: accounts_due_closure_notice,
        CLOSURES: accounts_due_closing,
        DELETIONS: accounts_due_deletion,
        PUPILS: pupils_due,
        CONTACTS: lambda now: contacts_unused_unlinked(),
    }[step](now=now)


# --- The dry run ----------------------------------------------------------------


@dataclass
class RetentionPlan:
    """What a run at ``now`` would do (ids per step), and what comes due within
    ``UPCOMING_DAYS`` after it ((id, when) per step, soonest first)."""

    now: datetime
    due: dict[str, list[int]] = field(default_factory=dict)
    upcoming: dict[str, list[tuple[int, datetime]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {step: len(ids) for step, ids in self.due.items()}


def _ids(queryset: QuerySet) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000))


def _soonest(rows) -> list[tuple[int, datetime]]:
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _upcoming_notices(now: datetime, until: datetime) -> list[tuple[int, datetime]]:
    rows = parents_without_notice().filter(
        activity__gt=now - NOTICE_AFTER, activity__lte=until - NOTICE_AFTER
    )
    rows = rows.values_list("pk", "activity")
    return _soonest((pk, activity + NOTICE_AFTER) for pk, activity in rows.iterator(2000))


def _upcoming_closures(now: datetime, until: datetime) -> list[tuple[int, datetime]]:
    # Noticed already, not due yet; those noticed later close after ``until``.
    rows = (
        parents_noticed()
        .filter(activity__lte=until - CLOSE_AFTER)
        .filter(
            Q(activity__gt=now - CLOSE_AFTER)
            | Q(closure_notice_at__gt=now - timedelta(days=NOTICE_DAYS))
        )
        .values_list("pk", "activity", "closure_notice_at")
    )
    return _soonest(
        (pk, when)
        for pk, activity, notice_at in rows.iterator(2000)
        if (when := closure_date(activity=activity, notice_at=notice_at)) <= until
    )


def _upcoming_deletions(now: datetime, until: datetime) -> list[tuple[int, datetime]]:
    rows = accounts_held().filter(delete_after__gt=now, delete_after__lte=until)
    rows = rows.values_list("pk", "delete_after")
    return _soonest(rows.iterator(2000))


def _upcoming_pupils(now: datetime, until: datetime) -> list[tuple[int, datetime]]:
    wait = timedelta(days=BOTH_REMOVED_DAYS)
    rows = (
        pupils_both_removed()
        .filter(both_removed_at__gt=now - wait, both_removed_at__lte=until - wait)
        .values_list("pk", "both_removed_at")
    )
    return _soonest((pk, removed_at + wait) for pk, removed_at in rows.iterator(2000))


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What the retention task would do at ``now``, and what comes due in the
    following ``UPCOMING_DAYS``: reads only, ids and dates, no names."""
    now = now or timezone.now()
    until = now + timedelta(days=UPCOMING_DAYS)
    plan = RetentionPlan(now=now)
    for step in STEPS:
        plan.due[step] = _ids(due(step, now=now))
    plan.upcoming[NOTICES] = _upcoming_notices(now, until)
    plan.upcoming[CLOSURES] = _upcoming_closures(now, until)
    plan.upcoming[DELETIONS] = _upcoming_deletions(now, until)
    plan.upcoming[PUPILS] = _upcoming_pupils(now, until)
    # Contacts come due with their last child (above), on the same day.
    plan.upcoming[CONTACTS] = []
    return plan


# --- Monitoring -----------------------------------------------------------------


@dataclass(frozen=True)
class RetentionStatus:
    """The last run, the last one that finished without error, and whether the
    task is late (no such run for ``LATE_AFTER``) or its last run failed."""

    last_run: RetentionRun | None
    last_success: RetentionRun | None
    late: bool

    @property
    def failed(self) -> bool:
        return self.last_run is not None and bool(self.last_run.error)

    @property
    def steps(self) -> list[tuple[str, int, int]]:
        """(label, done, failed) for each step of the last run."""
        counts = self.last_run.counts if self.last_run is not None else {}
        return [
            (label, counts.get(step, {}).get("done", 0), counts.get(step, {}).get("failed", 0))
            for step, label in STEP_LABELS.items()
        ]

    @property
    def state(self) -> str:
        """One of ``ok``, ``late`` (no successful run for 36 hours) or ``failed``
        (the last run ended with an error, within the 36 hours)."""
        if self.late:
            return "late"
        return "failed" if self.failed else "ok"


def retention_status(*, now: datetime | None = None) -> RetentionStatus:
    """Two small queries on the runs' start index."""
    now = now or timezone.now()
    last_run = RetentionRun.objects.order_by("-started_at", "-pk").first()
    last_success = (
        RetentionRun.objects.filter(finished_at__isnull=False, error="")
        .order_by("-started_at", "-pk")
        .first()
    )
    late = last_success is None or last_success.finished_at < now - LATE_AFTER
    return RetentionStatus(last_run=last_run, last_success=last_success, late=late)
