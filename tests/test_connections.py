"""Database connections are kept between requests and between a worker's tasks.

Opening a PostgreSQL connection costs a request a few milliseconds, so the
embedded default keeps connections for a minute and checks one before reusing
it; a Celery worker closes old or broken connections around each task, as a web
request does, instead of Celery's default of closing every connection every time.
"""

from types import SimpleNamespace

import pytest
from celery.signals import task_postrun, task_prerun

from portal import celery as portal_celery
from tests.test_settings import _run


def test_connections_are_kept_and_checked_by_default():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "db = settings.DATABASES['default']; "
            "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], settings.CELERY_DB_REUSE_MAX)",
        ],
        DATABASE_URL="postgres://portal@db.example.org:5432/portal",
    )

    assert result.returncode == 0, result.stderr
    max_age, health_checks, reuse_max = result.stdout.split()
    assert int(max_age) > 0
    assert health_checks == "True"
    assert int(reuse_max) > 1


def test_conn_max_age_can_still_be_set_from_the_environment():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        ],
        CONN_MAX_AGE="0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0"]


class _Task:
    """Stands in for a Celery task: its ``request`` says whether it runs in-process."""

    def __init__(self, *, is_eager: bool):
        self.request = SimpleNamespace(is_eager=is_eager)


@pytest.mark.parametrize("signal", [task_prerun, task_postrun], ids=["prerun", "postrun"])
def test_a_worker_task_closes_old_connections_before_and_after(signal, monkeypatch):
    closed = []
    monkeypatch.setattr(portal_celery, "close_old_connections", lambda: closed.append(True))

    task = _Task(is_eager=False)

    signal.send(sender=task, task_id="1", task=task, args=(), kwargs={})

    assert closed == [True]


def test_a_task_run_in_process_leaves_its_callers_connection_alone(monkeypatch):
    closed = []
    monkeypatch.setattr(portal_celery, "close_old_connections", lambda: closed.append(True))

    task = _Task(is_eager=True)

    task_prerun.send(sender=task, task_id="1", task=task, args=(), kwargs={})
    task_postrun.send(sender=task, task_id="1", task=task, args=(), kwargs={})

    assert closed == []
