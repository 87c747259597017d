"""The daily retention task: every promise of the data lifecycle kept on time.

In order, each step over the rows due at ``now`` (``privacy.selectors.retention``):

1. notices: a parent inactive for 11 months is told, once, that their account
   closes in 30 days unless they sign in (``closure_notices_send``);
2. closures: one still inactive at 12 months, noticed 30 days ago or more, is
   closed (``accounts.services.account_close``, reason ``inactive``);
3. deletions: a closed account whose 90-day hold has ended is erased
   (``privacy.services.erasure.user_erase``, reason ``hold_expired``);
4. pupils: a pupil the school removed and no open parent holds is anonymised 90
   days after the later of the two (``pupil_anonymise``, reason ``both_removed``);
5. contacts: a contact the school imported who never joined, linked to no child
   any more, is erased (``user_erase``, reason ``contact_unlinked``).

Each step walks the due rows by primary key, ``batch_size`` ids at a time, asking
the database again for each batch: memory stays bounded, and a row done leaves
the due set. Each batch is one transaction: its rows are locked and checked again
first, by one query (``skip_locked``: a row another run holds is that run's), so a
crash loses at most the batch in hand, a rerun picks it up, and a second run the
same day finds nothing left. Deletions, pupils and contacts are erased a batch at
once (``privacy.services.erasure_batches``: each category's statements cover the
whole batch), and so are closures (``accounts_close``), in a savepoint; if that
fails, each row is done alone in a savepoint of its own, so that every account or
pupil is done whole or not at all. Notices go a batch to a transaction. The
services called write the audit entries (one per account or pupil); the run
records counts in a ``RetentionRun``. One account or pupil that fails is logged by id, counted and
left for the next run; it does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.services import (
    account_close,
    account_hold_end,
    accounts_close,
    accounts_hold_end,
    closure_notices_send,
)
from privacy.models import RetentionRun
from privacy.selectors.retention import (
    CLOSURES,
    CONTACTS,
    DELETIONS,
    NOTICES,
    PUPILS,
    RetentionPlan,
    due,
    retention_plan,
)
from privacy.services.erasure import pupil_anonymise, user_erase
from privacy.services.erasure_batches import pupils_anonymise, users_erase

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def _due_batches(step: str, *, now: datetime, batch_size: int) -> Iterator[list[int]]:
    """The ids due for ``step``, ``batch_size`` at a time, by primary key."""
    after = 0
    while True:
        ids = list(
            due(step, now=now)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def _notices(*, now: datetime, batch_size: int) -> dict[str, int]:
    counts = {"done": 0, "failed": 0}
    for ids in _due_batches(NOTICES, now=now, batch_size=batch_size):
        try:
            counts["done"] += closure_notices_send(user_ids=ids, now=now)
            continue
        except Exception:
            logger.exception("Closure notices to accounts %s to %s failed", ids[0], ids[-1])
        # One account at a time, so that one that cannot be noticed fails alone.
        for pk in ids:
            try:
                counts["done"] += closure_notices_send(user_ids=[pk], now=now)
            except Exception:
                logger.exception("The closure notice to account %s failed", pk)
                counts["failed"] += 1
    return counts


def _each(
    step: str,
    *,
    now: datetime,
    batch_size: int,
    work: Callable[[object], object],
    work_batch: Callable[[list], int] | None = None,
) -> dict[str, int]:
    """Each row due for ``step``, a batch at a time: the batch's rows locked and
    checked to be still due by one query, in one transaction. ``work_batch`` does
    them all at once in a savepoint; when it fails (or there is none), ``work``
    does each row in a savepoint of its own, so that one that fails is rolled
    back alone and left for the next run."""
    counts = {"done": 0, "failed": 0}
    for ids in _due_batches(step, now=now, batch_size=batch_size):
        done = failed = 0
        try:
            with transaction.atomic():
                rows: QuerySet = due(step, now=now).filter(pk__in=ids).order_by("pk")
                rows = list(rows.select_for_update(skip_locked=True))
                if work_batch is not None and rows:
                    try:
                        with transaction.atomic():
                            done = work_batch(rows)
                        rows = []
                    except Exception:
                        logger.exception(
                            "Retention step %s failed for ids %s to %s; one at a time",
                            step,
                            rows[0].pk,
                            rows[-1].pk,
                        )
                for row in rows:
                    try:
                        with transaction.atomic():
                            if work(row) is not False:
                                done += 1
                    except Exception:
                        logger.exception("Retention step %s failed for id %s", step, row.pk)
                        failed += 1
        except Exception:
            # The batch's own query or its commit failed: none of it is done.
            logger.exception("Retention step %s failed for ids %s to %s", step, ids[0], ids[-1])
            done, failed = 0, len(ids)
        counts["done"] += done
        counts["failed"] += failed
    return counts


def _close(user, now: datetime) -> bool:
    return account_close(user=user, actor=None, reason="inactive", now=now)


def _erase(user, reason: str) -> None:
    user_erase(user=user, actor=None, reason=reason)
    # Erased: no longer due, whatever the erasure left on the row.
    account_hold_end(user=user)


def _erase_batch(users: list, reason: str) -> int:
    users_erase(users=users, actor=None, reason=reason)
    accounts_hold_end(users=users)
    return len(users)


def _anonymise_batch(pupils: list) -> int:
    pupils_anonymise(pupils=pupils, actor=None, reason="both_removed")
    return len(pupils)


def _steps(now: datetime, batch_size: int):
    each = {"now": now, "batch_size": batch_size}
    return (
        (NOTICES, lambda: _notices(now=now, batch_size=batch_size)),
        (
            CLOSURES,
            lambda: _each(
                CLOSURES,
                **each,
                work=lambda user: _close(user, now),
                work_batch=lambda users: len(
                    accounts_close(users=users, actor=None, reason="inactive", now=now)
                ),
            ),
        ),
        (
            DELETIONS,
            lambda: _each(
                DELETIONS,
                **each,
                work=lambda user: _erase(user, "hold_expired"),
                work_batch=lambda users: _erase_batch(users, "hold_expired"),
            ),
        ),
        (
            PUPILS,
            lambda: _each(
                PUPILS,
                **each,
                work=lambda pupil: pupil_anonymise(pupil=pupil, actor=None, reason="both_removed"),
                work_batch=_anonymise_batch,
            ),
        ),
        (
            CONTACTS,
            lambda: _each(
                CONTACTS,
                **each,
                work=lambda user: _erase(user, "contact_unlinked"),
                work_batch=lambda users: _erase_batch(users, "contact_unlinked"),
            ),
        ),
    )


def retention_run(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RetentionRun | RetentionPlan:
    """Do what is due at ``now`` (default: the present) and record the run; or,
    with ``dry_run``, change nothing and return the plan: what is due now and in
    the next 30 days.

    No transaction of its own: each account, pupil or batch of notices commits
    on its own, and the run's record is saved after each step, so a run that
    dies shows how far it got (``finished_at`` empty).
    """
    now = now or timezone.now()
    if dry_run:
        return retention_plan(now=now)
    run = RetentionRun.objects.create(started_at=timezone.now())
    errors = []
    for step, work in _steps(now, batch_size):
        try:
            run.counts[step] = work()
        except Exception as error:
            # The step's query itself failed: the next steps still run.
            logger.exception("Retention step %s failed", step)
            run.counts[step] = {"done": 0, "failed": 0}
            errors.append(f"{step}: {type(error).__name__}")
        if run.counts[step]["failed"]:
            errors.append(f"{step}: {run.counts[step]['failed']} failed")
        run.save(update_fields=["counts"])
    run.error = "; ".join(errors)[: RetentionRun._meta.get_field("error").max_length]
    run.finished_at = timezone.now()
    run.save(update_fields=["error", "finished_at"])
    return run
