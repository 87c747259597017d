"""Background award evaluation: takes a pupil's primary key and calls one service."""

from celery import shared_task


@shared_task(acks_late=True)
def awards_evaluate_task(pupil_id: int) -> int:
    """Grant (and notify) the pupil's newly earned awards; returns how many."""
    from learning.awards import awards_evaluate
    from schools.models import Pupil

    pupil = Pupil.objects.filter(pk=pupil_id).first()
    if pupil is None:  # erased since the task was queued
        return 0
    return len(awards_evaluate(pupil=pupil))
