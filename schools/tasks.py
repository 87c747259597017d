"""Background work for schools: each task takes primary keys and calls one service."""

from celery import shared_task


@shared_task(acks_late=True)
def roster_import_check_task(import_id: int) -> None:
    from schools.services.roster_imports import roster_import_check

    roster_import_check(import_id=import_id)


@shared_task(acks_late=True)
def roster_import_apply_task(import_id: int) -> None:
    from schools.services.roster_imports import roster_import_apply_queued

    roster_import_apply_queued(import_id=import_id)


@shared_task
def roster_imports_purge_task() -> None:
    from schools.services.roster_imports import roster_imports_purge

    roster_imports_purge()
