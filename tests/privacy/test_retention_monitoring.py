"""Platform staff see the retention task's last run on the admin's front page; a
run missing for more than 36 hours is an alarm there and in /healthz."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import RetentionRun
from privacy.selectors import retention_status
from tests.admin.platform_staff import platform_staff_member

pytestmark = pytest.mark.django_db

COUNTS = {
    "notices": {"done": 12, "failed": 0},
    "closures": {"done": 3, "failed": 0},
    "deletions": {"done": 7, "failed": 1},
    "pupils": {"done": 40, "failed": 0},
    "contacts": {"done": 9, "failed": 0},
}


def _run(hours_ago: float, *, error: str = "", finished: bool = True) -> RetentionRun:
    started = timezone.now() - timedelta(hours=hours_ago)
    return RetentionRun.objects.create(
        started_at=started,
        finished_at=started + timedelta(seconds=40) if finished else None,
        counts=COUNTS,
        error=error,
    )


@pytest.fixture
def admin_client(staff_client):
    return staff_client(platform_staff_member())


def _front_page(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


# --- The admin's front page -----------------------------------------------------------


def test_platform_staff_see_the_last_run_and_its_counts(admin_client):
    run = _run(hours_ago=5)

    page = _front_page(admin_client)

    assert "Retention task" in page
    assert f"started {timezone.localtime(run.started_at):%-d %b %Y, %H:%M}" in page
    assert f"finished {timezone.localtime(run.finished_at):%-d %b %Y, %H:%M}" in page
    assert '<th scope="row">Closure notices sent</th><td>12</td><td>0</td>' in page
    assert '<th scope="row">Closed accounts deleted</th><td>7</td><td>1</td>' in page
    assert "Alarm" not in page


def test_a_run_missing_for_more_than_36_hours_is_an_alarm(admin_client):
    _run(hours_ago=36.5)

    page = _front_page(admin_client)

    assert "Alarm: the retention task has not completed a run for more than 36 hours" in page


def test_a_task_that_never_ran_is_an_alarm(admin_client):
    page = _front_page(admin_client)

    assert "it has never completed one" in page
    assert "The retention task has not run yet." in page


def test_a_run_that_did_not_finish_does_not_count(admin_client):
    _run(hours_ago=40)
    _run(hours_ago=2, finished=False)

    page = _front_page(admin_client)

    assert "Alarm" in page
    assert "not finished" in page


def test_a_run_with_errors_is_shown(admin_client):
    _run(hours_ago=2, error="deletions: 1 failed")

    page = _front_page(admin_client)

    assert "The last run ended with errors (deletions: 1 failed)" in page


# --- The status, and /healthz ---------------------------------------------------------


def test_the_status_is_late_only_after_36_hours():
    run = _run(hours_ago=0)
    finished = run.finished_at

    assert retention_status(now=finished + timedelta(hours=36)).state == "ok"
    assert retention_status(now=finished + timedelta(hours=36, seconds=1)).state == "late"


def test_healthz_says_the_retention_task_is_ok(client, settings):
    settings.REDIS_URL = ""
    run = _run(hours_ago=3)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "retention": "ok",
        "retention_last_run": run.finished_at.isoformat(),
    }


def test_healthz_says_late_but_stays_200_when_the_task_is_missing(client, settings):
    settings.REDIS_URL = ""
    run = _run(hours_ago=48)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["retention"] == "late"
    assert response.json()["retention_last_run"] == run.finished_at.isoformat()


def test_healthz_says_failed_when_the_last_run_had_errors(client, settings):
    settings.REDIS_URL = ""
    _run(hours_ago=30)
    _run(hours_ago=2, error="pupils: 1 failed")

    assert client.get("/healthz").json()["retention"] == "failed"


def test_healthz_costs_two_queries_more_than_the_database_check(client, settings):
    settings.REDIS_URL = ""
    for hours in range(30):
        _run(hours_ago=hours)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")

    assert len(queries) == 3
