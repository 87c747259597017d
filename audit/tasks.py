"""Background work: each task calls one service."""

from celery import shared_task


@shared_task
def security_events_purge_task() -> int:
    """Daily: delete security events past the retention period."""
    from audit.services import security_events_purge

    return security_events_purge()
