import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def database_connections_tidy(sender=None, **kwargs) -> None:
    """Before and after each task in a worker, close the connections a web request
    would: those older than CONN_MAX_AGE and any left broken (CONN_HEALTH_CHECKS
    checks the rest before reuse). Celery itself closes them only every
    CELERY_DB_REUSE_MAX tasks (portal/settings.py). A task run in-process (eager)
    shares its caller's connection, perhaps inside its transaction: left alone."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()
