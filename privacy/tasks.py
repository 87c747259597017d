"""Background work: each task calls one service."""

from celery import shared_task


@shared_task
def retention_run_task() -> dict:
    """Daily: notices, closures, deletions and anonymisations that have come due
    (``privacy.services.retention``); returns the counts per step."""
    from privacy.services import retention_run

    return retention_run().counts
