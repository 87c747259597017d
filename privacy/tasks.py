"""Background work of the privacy app: tasks take primary keys and call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def user_erase_task(user_id: int, reason: str = "own_request") -> None:
    """Erase a parent whose account was closed at once but whose data is too large
    to erase within the request. Safe to run again: the erasure is idempotent."""
    from django.contrib.auth import get_user_model

    from privacy.services import user_erase

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        user_erase(user=user, actor=user, reason=reason)
