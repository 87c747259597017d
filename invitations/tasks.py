"""Background work for invitations: each task calls one service."""

from celery import shared_task


@shared_task
def invitations_remind_due_task() -> int:
    from invitations.services import invitations_remind_due

    return invitations_remind_due()


@shared_task
def invitations_expire_task() -> int:
    from invitations.services import invitations_expire

    return invitations_expire()
