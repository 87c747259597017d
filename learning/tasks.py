"""Background work for setting topics: each task calls one service."""

from celery import shared_task


@shared_task
def assignments_notify_started_task() -> int:
    from learning.assignments import assignments_notify_started

    return assignments_notify_started()


@shared_task
def assignment_notify_started_task(assignment_id: int) -> int:
    from learning.assignments import assignment_notify_started

    return assignment_notify_started(assignment_id=assignment_id)


@shared_task
def assignments_remind_due_task() -> int:
    from learning.assignments import assignments_remind_due

    return assignments_remind_due()
