"""What the retention task has to do, and when: the accounts and pupils due for
each step at a given moment, and the state of its last run.

Every rule is one queryset, used both by the run (``privacy.services.retention``)
and by its dry run, so the two cannot disagree:

- a parent inactive for ``NOTICE_AFTER`` (11 months) gets a closure notice;
- one still inactive at ``CLOSE_AFTER`` (12 months), whose notice went at least
  ``NOTICE_DAYS`` ago, is closed;
- a closed account is erased once its ``delete_after`` has passed;
- a pupil the school removed, with no open parent account linked, is anonymised
  ``BOTH_REMOVED_DAYS`` after the later of the removal, the last parent link
  ending and the last parent account closing.

A *parent* here is an account open and in use (active, never closed, signed in at
least once), with no school role, not platform staff, and not restricted (a
restricted person's data is kept as it is, and they get no messages). Contacts a
school imported who never joined have never signed in: they get no notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Membership, User
from privacy.models import RetentionRun
from schools.models import Guardianship, Pupil

# 11 and 12 months, in days: the notice says the account closes in 30 days.
NOTICE_AFTER = timedelta(days=335)
CLOSE_AFTER = timedelta(days=365)
NOTICE_DAYS = 30
BOTH_REMOVED_DAYS = 90
# How far ahead the dry run looks.
UPCOMING_DAYS = 30
# A daily run, with room for one that runs late: past this, the run is missing.
LATE_AFTER = timedelta(hours=36)

NOTICES = "notices"
CLOSURES = "closures"
DELETIONS = "deletions"
PUPILS = "pupils"
STEPS = (NOTICES, CLOSURES, DELETIONS, PUPILS)
STEP_LABELS = {
    NOTICES: "Closure notices sent",
    CLOSURES: "Inactive accounts closed",
    DELETIONS: "Closed accounts deleted",
    PUPILS: "Pupils anonymised",
}


def last_activity():
    """When the account was last used: the later of its last page
    (``last_active_at``, kept by engagement) and its last sign-in, and never
    earlier than when it joined. Both fall back to ``date_joined`` when empty
    (SQLite's MAX of a NULL is NULL)."""
    return Greatest(
        Coalesce("last_active_at", "date_joined"),
        Coalesce("last_login", "date_joined"),
        output_field=DateTimeField(),
    )


def parents_in_use() -> QuerySet[User]:
    """Open parents' accounts that have been used, with ``activity`` annotated."""
    return (
        User.objects.filter(
            is_active=True,
            closed_at__isnull=True,
            last_login__isnull=False,
            is_staff=False,
            is_superuser=False,
            processing_restricted=False,
        )
        .filter(~Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .annotate(activity=last_activity())
    )


def _without_current_notice() -> Q:
    # A notice older than the last activity belonged to an earlier inactive spell.
    return Q(closure_notice_at__isnull=True) | Q(closure_notice_at__lt=F("activity"))


def notices_due(*, now: datetime) -> QuerySet[User]:
    return parents_in_use().filter(_without_current_notice(), activity__lte=now - NOTICE_AFTER)


def closures_due(*, now: datetime) -> QuerySet[User]:
    return parents_in_use().filter(
        activity__lte=now - CLOSE_AFTER,
        closure_notice_at__gte=F("activity"),
        closure_notice_at__lte=now - timedelta(days=NOTICE_DAYS),
    )


def closure_date(*, activity: datetime, notice_at: datetime) -> datetime:
    """When an account noticed at ``notice_at`` closes if it stays unused."""
    return max(notice_at + timedelta(days=NOTICE_DAYS), activity + CLOSE_AFTER)


def deletions_due(*, now: datetime) -> QuerySet[User]:
    """Closed accounts whose hold has ended and that are not erased yet (the run
    clears ``delete_after`` once it has erased one)."""
    return User.objects.filter(closed_at__isnull=False, delete_after__lte=now)


def _open_parent_linked() -> Exists:
    return Exists(
        Guardianship.objects.filter(
            pupil=OuterRef("pk"),
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__is_active=True,
            parent__closed_at__isnull=True,
        )
    )


def pupils_both_removed() -> QuerySet[Pupil]:
    """Pupils the school removed and no open parent account holds, not yet
    anonymised, with ``both_removed_at``: the later of the removal, the last
    joined parent's link ending and the last such parent's account closing."""
    joined = Guardianship.objects.filter(pupil=OuterRef("pk"), confirmed_at__isnull=False)
    last_link_ended = joined.values("pupil").annotate(last=Max("ended_at")).values("last")
    last_parent_closed = (
        joined.filter(ended_at__isnull=True)
        .values("pupil")
        .annotate(last=Max("parent__closed_at"))
        .values("last")
    )
    removed = F("removed_by_school_at")
    return (
        Pupil.objects.filter(removed_by_school_at__isnull=False, anonymised_at__isnull=True)
        .filter(~_open_parent_linked())
        .annotate(
            both_removed_at=Greatest(
                removed,
                Coalesce(Subquery(last_link_ended), removed),
                Coalesce(Subquery(last_parent_closed), removed),
                output_field=DateTimeField(),
            )
        )
    )


def pupils_due(*, now: datetime) -> QuerySet[Pupil]:
    return pupils_both_removed().filter(
        both_removed_at__lte=now - timedelta(days=BOTH_REMOVED_DAYS)
    )


def due(step: str, *, now: datetime) -> QuerySet:
    return {
        NOTICES: notices_due,
        CLOSURES: closures_due,
        DELETIONS: deletions_due,
        PUPILS: pupils_due,
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
    rows = (
        parents_in_use()
        .filter(
            _without_current_notice(),
            activity__gt=now - NOTICE_AFTER,
            activity__lte=until - NOTICE_AFTER,
        )
        .values_list("pk", "activity")
    )
    return _soonest((pk, activity + NOTICE_AFTER) for pk, activity in rows.iterator(2000))


def _upcoming_closures(now: datetime, until: datetime) -> list[tuple[int, datetime]]:
    # Noticed already, not due yet; those noticed later close after ``until``.
    rows = (
        parents_in_use()
        .filter(closure_notice_at__gte=F("activity"), activity__lte=until - CLOSE_AFTER)
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
    rows = User.objects.filter(
        closed_at__isnull=False, delete_after__gt=now, delete_after__lte=until
    ).values_list("pk", "delete_after")
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
        """ "ok", "late" (no successful run for 36 hours) or "failed" (the last
        run ended with an error, within the 36 hours)."""
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
