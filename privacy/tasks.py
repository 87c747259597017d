"""Background work for the privacy app: each task takes primary keys and calls one service."""

from celery import shared_task


@shared_task(acks_late=True)
def incident_notify_families_task(incident_id: int, actor_id: int) -> None:
    """Queue an incident's family notices: thousands of messages, rendered in
    batches, too many to write while a page waits."""
    from django.contrib.auth import get_user_model

    from privacy.models import Incident
    from privacy.services import incident_notify_families

    incident_notify_families(
        incident=Incident.objects.get(pk=incident_id),
        actor=get_user_model().objects.get(pk=actor_id),
    )


@shared_task
def retention_run_task() -> dict:
    """Daily: notices, closures, deletions and anonymisations that have come due
    (``privacy.services.retention``); returns the counts per step."""
    from privacy.services import retention_run

    return retention_run().counts


@shared_task(acks_late=True)
def user_erase_task(user_id: int, reason: str = "own_request") -> None:
    """Erase a parent whose account was closed at once but whose data is too large
    to erase within the request. Safe to run again: the erasure is idempotent."""
    from django.contrib.auth import get_user_model

    from privacy.services import user_erase

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        user_erase(user=user, actor=user, reason=reason)
