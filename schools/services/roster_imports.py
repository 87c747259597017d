"""The stored roster import of the upload page: check (dry run) first, then apply once.

A file with more rows than ``settings.ROSTER_BACKGROUND_ROWS`` is checked and
applied by a Celery task (``schools.tasks``) enqueued after commit; a smaller one
within the request. Progress is kept in the cache, because rows written inside
the apply transaction are invisible to the page polling for them.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from schools.models import RosterImport, School
from schools.offboarded import SchoolOffboardedError, offboarded_message, school_takes_new_data
from schools.roster.parsing import RosterFileError
from schools.roster.planning import RosterResult
from schools.services.roster import roster_apply, roster_check

logger = logging.getLogger(__name__)

# Rows with errors (or warnings) kept for the result page; the rest are counted.
MAX_STORED_ISSUES = 1000
PROGRESS_TIMEOUT = 60 * 60
GENERIC_FAILURE = (
    "Something went wrong while importing this file, and nothing was changed. "
    "Please try again; if it happens again, contact support."
)
STATUS_REFUSALS = {
    RosterImport.Status.APPLIED: "This import has already been applied.",
    RosterImport.Status.APPLYING: "This import is already being applied.",
    RosterImport.Status.CHECKING: "This file is still being checked.",
}


class RosterImportError(Exception):
    """An import that cannot be started or applied, with a message for the admin."""


def _progress_key(import_id: int) -> str:
    return f"roster-import:{import_id}:progress"


def roster_import_progress(*, roster_import: RosterImport) -> dict[str, int]:
    """How far checking or applying has got: rows processed out of the total."""
    progress = cache.get(_progress_key(roster_import.pk))
    total = max(roster_import.row_count, 1)
    if progress is None:
        done = roster_import.status not in {
            RosterImport.Status.CHECKING,
            RosterImport.Status.APPLYING,
        }
        return {"processed": total if done else 0, "total": total}
    return {"processed": min(progress["processed"], total), "total": total}


def _store_progress(import_id: int, processed: int) -> None:
    cache.set(_progress_key(import_id), {"processed": processed}, PROGRESS_TIMEOUT)


def _checking_progress(import_id: int):
    def report(stage: str, done: int, total: int) -> None:
        _store_progress(import_id, done)

    return report


def _applying_progress(import_id: int, rows: int):
    """Reading the file is the first half of the bar, writing the second half."""
    half = rows // 2

    def report(stage: str, done: int, total: int) -> None:
        if stage == "reading":
            _store_progress(import_id, min(done, rows) // 2)
        else:
            _store_progress(import_id, half + (rows - half) * done // max(total, 1))

    return report


def _estimate_rows(content: bytes) -> int:
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def _runs_in_background(rows: int) -> bool:
    return rows > settings.ROSTER_BACKGROUND_ROWS


def _store_result(roster_import: RosterImport, result: RosterResult) -> None:
    roster_import.row_count = result.row_count
    roster_import.summary = {**result.summary, "ignored_columns": result.ignored_columns[:50]}
    roster_import.errors = [issue.as_dict() for issue in result.errors[:MAX_STORED_ISSUES]]
    roster_import.warnings = [issue.as_dict() for issue in result.warnings[:MAX_STORED_ISSUES]]


def _mark_failed(import_id: int, message: str = GENERIC_FAILURE) -> None:
    RosterImport.objects.filter(pk=import_id).update(
        status=RosterImport.Status.FAILED, file_error=message, content=b""
    )
    cache.delete(_progress_key(import_id))


def roster_import_start(
    *, school: School, file_name: str, content: bytes, remove_missing: bool, actor: User
) -> RosterImport:
    """Store an uploaded roster file and check it (a dry run), now or in the background.
    Raises RosterImportError for a school that has left the portal."""
    if not school_takes_new_data(school_id=school.pk):
        raise RosterImportError(offboarded_message(school))
    rows = _estimate_rows(content)
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            school=school,
            uploaded_by=actor,
            file_name=file_name[:255],
            content=content,
            remove_missing=remove_missing,
            status=RosterImport.Status.CHECKING,
            row_count=rows,
        )
        audit_record(
            actor=actor,
            action="roster_import.upload",
            subject=roster_import,
            changes={"rows": rows, "remove_missing": remove_missing},
        )
        if _runs_in_background(rows):
            from schools.tasks import roster_import_check_task

            transaction.on_commit(partial(roster_import_check_task.delay, roster_import.pk))
    if not _runs_in_background(rows):
        roster_import_check(import_id=roster_import.pk)
        roster_import.refresh_from_db()
    return roster_import


def roster_import_check(*, import_id: int) -> None:
    """Check a stored file: store what applying it would do, or why it cannot be read."""
    roster_import = (
        RosterImport.objects.select_related("school")
        .filter(pk=import_id, status=RosterImport.Status.CHECKING)
        .first()
    )
    if roster_import is None:
        return  # already checked (a task delivered twice)
    try:
        with transaction.atomic():
            result = roster_check(
                school=roster_import.school,
                content=bytes(roster_import.content),
                remove_missing=roster_import.remove_missing,
                progress=_checking_progress(import_id),
            )
    except RosterFileError as error:
        roster_import.status = RosterImport.Status.INVALID
        roster_import.file_error = str(error)
        roster_import.content = b""
    except SchoolOffboardedError as error:
        _mark_failed(import_id, str(error))
        return
    except Exception:
        logger.exception("Checking roster import %s failed", import_id)
        _mark_failed(import_id)
        return
    else:
        _store_result(roster_import, result)
        roster_import.status = RosterImport.Status.CHECKED
    roster_import.checked_at = timezone.now()
    roster_import.save()
    cache.delete(_progress_key(import_id))


def roster_import_apply(*, roster_import: RosterImport, actor: User) -> RosterImport:
    """Apply a checked import once: now, or (a large file) in the background."""
    if _runs_in_background(roster_import.row_count):
        with transaction.atomic():
            locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
            _refuse_unless_checked(locked)
            locked.status = RosterImport.Status.APPLYING
            locked.applied_by = actor
            locked.save(update_fields=["status", "applied_by"])
            from schools.tasks import roster_import_apply_task

            transaction.on_commit(partial(roster_import_apply_task.delay, locked.pk))
    else:
        _apply(import_id=roster_import.pk, expected=RosterImport.Status.CHECKED, actor=actor)
    roster_import.refresh_from_db()
    return roster_import


def roster_import_apply_queued(*, import_id: int) -> None:
    """The background half of roster_import_apply (the Celery task calls this)."""
    try:
        _apply(import_id=import_id, expected=RosterImport.Status.APPLYING, actor=None)
    except RosterImportError:
        logger.info("Roster import %s was not waiting to be applied; skipped", import_id)


def _refuse_unless_checked(roster_import: RosterImport) -> None:
    if roster_import.status != RosterImport.Status.CHECKED:
        raise RosterImportError(
            STATUS_REFUSALS.get(roster_import.status, "This import cannot be applied.")
        )


def _apply(*, import_id: int, expected: str, actor: User | None) -> None:
    """Apply the stored file and record the result, all in one transaction."""
    try:
        with transaction.atomic():
            roster_import = (
                RosterImport.objects.select_for_update().select_related("school").get(pk=import_id)
            )
            if roster_import.status != expected:
                raise RosterImportError(
                    STATUS_REFUSALS.get(roster_import.status, "This import cannot be applied.")
                )
            actor = actor or roster_import.applied_by
            # The file is applied as checked; the plan is made afresh against the
            # school's data as it is now.
            result = roster_apply(
                school=roster_import.school,
                content=bytes(roster_import.content),
                remove_missing=roster_import.remove_missing,
                actor=actor,
                progress=_applying_progress(import_id, roster_import.row_count),
            )
            _store_result(roster_import, result)
            roster_import.status = RosterImport.Status.APPLIED
            roster_import.applied_by = actor
            roster_import.applied_at = timezone.now()
            roster_import.content = b""  # personal data: not kept once applied
            roster_import.save()
    except RosterImportError:
        raise
    except SchoolOffboardedError as error:
        _mark_failed(import_id, str(error))
    except Exception:
        logger.exception("Applying roster import %s failed", import_id)
        _mark_failed(import_id)
    cache.delete(_progress_key(import_id))


@transaction.atomic
def roster_imports_purge() -> int:
    """Delete stored imports older than ROSTER_IMPORT_KEEP (their errors name pupils)."""
    cutoff = timezone.now() - settings.ROSTER_IMPORT_KEEP
    deleted, _ = RosterImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted
