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
