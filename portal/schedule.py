"""The periodic tasks Celery beat runs, installed into django-celery-beat's
database schedule when beat starts (``CELERY_BEAT_SCHEDULE`` in the settings).
Times are Europe/London (``CELERY_TIMEZONE``)."""

from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "roster-imports-purge": {
        "task": "schools.tasks.roster_imports_purge_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "messages-requeue-stale": {
        "task": "notifications.tasks.messages_requeue_stale_task",
        "schedule": timedelta(minutes=5),
    },
    "invitations-remind-due": {
        "task": "invitations.tasks.invitations_remind_due_task",
        "schedule": crontab(minute=20),
    },
    "invitations-expire": {
        "task": "invitations.tasks.invitations_expire_task",
        "schedule": crontab(minute=50),
    },
    # Work whose start date has come, then the reminder two days before it is due.
    "assignments-notify-started": {
        "task": "learning.tasks.assignments_notify_started_task",
        "schedule": crontab(minute=5),
    },
    "assignments-remind-due": {
        "task": "learning.tasks.assignments_remind_due_task",
        "schedule": crontab(minute=35),
    },
    "security-events-purge": {
        "task": "audit.tasks.security_events_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # Closure notices, closing inactive accounts, deleting after the hold and
    # anonymising pupils both the school and the parents have left (docs/architecture.md §6).
    # A run missing for 36 hours shows on the admin's front page and in /healthz.
    "retention-run": {
        "task": "privacy.tasks.retention_run_task",
        "schedule": crontab(hour=2, minute=30),
    },
}
