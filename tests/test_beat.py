"""What beat installs into its database schedule when it starts."""

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from portal.celery import app

pytestmark = pytest.mark.django_db


def test_beat_installs_the_portals_schedule_and_no_result_cleanup(settings, monkeypatch):
    """Task results are never kept (no result backend), so beat must not add
    Celery's daily celery.backend_cleanup, which would fail or do nothing."""
    assert not getattr(settings, "CELERY_RESULT_BACKEND", None)
    # Beat closes old connections between reads; here that would be the test's own.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)

    scheduler = DatabaseScheduler(app=app)  # what `celery beat` makes at start-up
    scheduler._finalize.cancel()  # no sync (and closing) when it is collected

    installed = set(PeriodicTask.objects.values_list("task", flat=True))
    assert "celery.backend_cleanup" not in installed
    assert installed >= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
