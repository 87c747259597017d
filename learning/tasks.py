"""Background work for setting topics: each task calls one service."""

from celery import shared_task


@shared_task
def assignments_notify_started_task() -> int:
    from learning.services.announcements import assignments_notify_started

    return assignments_notify_started()


@shared_task
def assignment_notify_started_task(assignment_id: int) -> int:
    from learning.services.announcements import assignment_notify_started

    return assignment_notify_started(assignment_id=assignment_id)


@shared_task
def assignments_remind_due_task() -> int:
    from learning.services.announcements import assignments_remind_due

    return assignments_remind_due()


@shared_task(acks_late=True)
def awards_evaluate_task(pupil_id: int) -> int:
    """Grant (and notify) the pupil's newly earned awards; returns how many."""
    from learning.services.awards import awards_evaluate
    from schools.models import Pupil

    pupil = Pupil.objects.filter(pk=pupil_id).first()
    if pupil is None:  # erased since the task was queued
        return 0
    return len(awards_evaluate(pupil=pupil))
