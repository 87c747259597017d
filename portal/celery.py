import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun
from django.db import close_old_connections

from portal.log_context import task_id_reset, task_id_set

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


@setup_logging.connect(weak=False)
def logging_configure(**kwargs) -> None:
    """Workers and beat log as web processes do: Django's LOGGING (one format,
    portal/log_format.py) instead of Celery's own; LOG_LEVEL sets the level."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


_task_id_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def task_id_log(task_id=None, **kwargs) -> None:
    """Every log line written while a task runs carries its id."""
    _task_id_tokens[task_id] = task_id_set(task_id)


@task_postrun.connect(weak=False)
def task_id_unlog(task_id=None, **kwargs) -> None:
    token = _task_id_tokens.pop(task_id, None)
    if token is not None:
        try:
            task_id_reset(token)
        except ValueError:  # set in another context (another thread): clear this one's
            task_id_set(None)
