"""The retention run as a whole: its dry run changes nothing and lists what is
due and when; its cost does not grow with the number of accounts due; one row
that fails does not stop the others; the daily beat entry and the command run
it; two runs at once do each thing once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.services import account_close
from audit.models import AuditEntry
from notifications.models import Message
from privacy.models import RetentionRun
from privacy.selectors import retention_plan
from privacy.services import retention_run
from schools.models import Pupil
from tests.concurrency import at_once, needs_postgresql
from tests.factories import PupilFactory
from tests.privacy.retention_world import START, day, fresh, notices, parent_last_active

pytestmark = pytest.mark.django_db


def _world():
    """One of each: due for a notice, noticed and due for closing, closed and due
    for deletion, a removed pupil due for anonymising; and one of each due in
    the next 30 days."""
    # At day(400): noticed on day 335 is due to close; START + 50 crosses 11 months on day 385+.
    noticed = parent_last_active(START)
    retention_run(now=day(335))
    return {
        "notice_now": parent_last_active(START + timedelta(days=60)),
        "notice_soon": parent_last_active(START + timedelta(days=75)),
        "close_now": noticed,
        "closed": _closed_on(day(305)),
        "closed_recently": _closed_on(day(330)),
        "pupil_now": PupilFactory(removed_by_school_at=day(300)),
        "pupil_soon": PupilFactory(removed_by_school_at=day(320)),
    }


def _closed_on(moment) -> User:
    user = parent_last_active(moment - timedelta(days=1))
    account_close(user=user, actor=user, reason="own_request", now=moment)
    return user


def _snapshot():
    return (
        list(User.objects.order_by("pk").values()),
        list(Pupil.objects.order_by("pk").values()),
        Message.objects.count(),
        AuditEntry.objects.count(),
        RetentionRun.objects.count(),
    )


# --- The dry run ------------------------------------------------------------------


def test_the_dry_run_changes_nothing_and_lists_what_is_due_and_when():
    world = _world()
    before = _snapshot()

    plan = retention_run(now=day(400), dry_run=True)

    assert _snapshot() == before
    assert plan.due == {
        "notices": [world["notice_now"].pk],
        "closures": [world["close_now"].pk],
        "deletions": [world["closed"].pk],
        "pupils": [world["pupil_now"].pk],
        "contacts": [],
    }
    assert plan.upcoming == {
        "notices": [(world["notice_soon"].pk, START + timedelta(days=75 + 335))],
        "closures": [],
        "deletions": [(world["closed_recently"].pk, day(330 + 90))],
        "pupils": [(world["pupil_soon"].pk, day(320 + 90))],
        "contacts": [],
    }


def test_the_dry_run_lists_the_closing_date_of_an_account_noticed():
    parent = parent_last_active(START)
    retention_run(now=day(335))

    plan = retention_plan(now=day(340))

    assert plan.due["closures"] == []
    assert plan.upcoming["closures"] == [(parent.pk, day(365))]


def test_the_dry_run_does_what_the_run_then_does():
    world = _world()
    plan = retention_run(now=day(400), dry_run=True)

    run = retention_run(now=day(400))

    assert {step: counts["done"] for step, counts in run.counts.items()} == plan.counts
    assert fresh(world["close_now"]).closed_at == day(400)


def test_the_command_dry_run_prints_ids_and_dates_without_names():
    now = timezone.now()
    closed = _closed_on(now - timedelta(days=91))
    closing_soon = _closed_on(now - timedelta(days=70))
    out = StringIO()

    call_command("run_retention", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "nothing was changed" in text
    assert f"closed accounts to delete (90-day hold ended): 1 account: {closed.pk}\n" in text
    soon = timezone.localtime(now + timedelta(days=20))
    assert f"    {soon:%Y-%m-%d}: {closing_soon.pk}\n" in text
    for user in User.objects.all():
        for value in (user.first_name, user.last_name, user.email):
            assert not value or value not in text
    assert RetentionRun.objects.count() == 0
    assert fresh(closed).email is not None


def test_the_command_runs_the_task_and_prints_the_counts():
    parent_last_active(START - timedelta(days=400))
    out = StringIO()

    call_command("run_retention", stdout=out)

    assert "closure notices (inactive 11 months): 1 done" in out.getvalue()
    assert RetentionRun.objects.get().counts["notices"]["done"] == 1


def test_the_command_fails_when_the_run_had_errors(monkeypatch):
    PupilFactory(removed_by_school_at=timezone.now() - timedelta(days=100))

    def storage_down(**kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr("privacy.services.retention.pupils_anonymise", storage_down)
    monkeypatch.setattr("privacy.services.retention.pupil_anonymise", storage_down)

    with pytest.raises(CommandError, match="pupils: 1 failed"):
        call_command("run_retention", stdout=StringIO())


# --- Cost and failures ------------------------------------------------------------


def _notices_run_queries(parents: int) -> int:
    for _ in range(parents):
        parent_last_active(START)
    with CaptureQueriesContext(connection) as queries:
        retention_run(now=day(335), batch_size=50)
    assert notices().count() == 2 * parents
    return len(queries)


def test_sending_notices_costs_the_same_queries_for_2_parents_as_for_20():
    small = _notices_run_queries(2)
    Message.objects.all().delete()
    User.objects.all().delete()
    assert _notices_run_queries(20) == small


def test_the_dry_run_costs_the_same_queries_whatever_is_due():
    def queries_with(extra: int) -> int:
        for _ in range(extra):
            _world()
        with CaptureQueriesContext(connection) as queries:
            retention_plan(now=day(400))
        return len(queries)

    assert queries_with(1) == queries_with(5)


def test_batches_bound_the_work_and_every_row_is_still_done():
    parents = [parent_last_active(START) for _ in range(7)]

    run = retention_run(now=day(335), batch_size=3)

    assert run.counts["notices"] == {"done": 7, "failed": 0}
    assert all(fresh(parent).closure_notice_at == day(335) for parent in parents)


def test_one_pupil_that_fails_does_not_stop_the_others(monkeypatch):
    from privacy.services import retention

    pupils = [PupilFactory(removed_by_school_at=day(0)) for _ in range(3)]
    real = retention.pupil_anonymise

    def failing_for_the_second(*, pupil, actor, reason):
        if pupil.pk == pupils[1].pk:
            raise RuntimeError("storage down")
        return real(pupil=pupil, actor=actor, reason=reason)

    def failing_with_the_second(*, pupils, actor, reason):
        if pupils[1].pk in [pupil.pk for pupil in pupils]:
            raise RuntimeError("storage down")
        return real_batch(pupils=pupils, actor=actor, reason=reason)

    real_batch = retention.pupils_anonymise
    monkeypatch.setattr(retention, "pupils_anonymise", failing_with_the_second)
    monkeypatch.setattr(retention, "pupil_anonymise", failing_for_the_second)
    run = retention_run(now=day(90))

    assert run.counts["pupils"] == {"done": 2, "failed": 1}
    assert run.error == "pupils: 1 failed"
    assert run.finished_at is not None
    assert [fresh(pupil).anonymised_at is not None for pupil in pupils] == [True, False, True]
    # Tried again, and done, on the next run.
    monkeypatch.setattr(retention, "pupil_anonymise", real)
    monkeypatch.setattr(retention, "pupils_anonymise", real_batch)
    assert retention_run(now=day(91)).counts["pupils"] == {"done": 1, "failed": 0}


# --- Celery --------------------------------------------------------------------------


def test_beat_runs_the_retention_task_daily(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["retention-run"]

    assert entry["task"] == "privacy.tasks.retention_run_task"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


def test_the_task_runs_the_service_and_records_the_run():
    from privacy.tasks import retention_run_task

    parent_last_active(START - timedelta(days=400))

    counts = retention_run_task.delay().get()

    assert counts["notices"]["done"] == 1
    assert RetentionRun.objects.get().counts == counts


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_notice_once():
    needs_postgresql()
    parents = [parent_last_active(START) for _ in range(30)]

    race = at_once(
        lambda: retention_run(now=day(335), batch_size=5),
        lambda: retention_run(now=day(335), batch_size=5),
    )

    assert race.errors == []
    assert sum(run.counts["notices"]["done"] for run in race.results) == 30
    assert notices().count() == 60
    assert all(fresh(parent).closure_notice_at == day(335) for parent in parents)
