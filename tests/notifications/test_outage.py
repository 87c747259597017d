"""Messages outlast an outage of their provider.

A transient failure is tried again after each delay of MESSAGE_RETRY_DELAYS (34
hours in all by default) before the message fails; the retry lives in the
database (``next_attempt_at``), so the requeue hands it out if its task is lost;
no message is sent twice. A hung SMTP server costs one attempt of EMAIL_TIMEOUT,
not a stuck row lock.

The outage tests run a real SMTP server on 127.0.0.1 (tests/smtp_server.py), with
Django's SMTP backend, and move a clock instead of sleeping for a day.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from notifications.checks import message_retries_outlast_an_outage
from notifications.errors import TransientDeliveryError
from notifications.models import Message
from notifications.services import (
    OutgoingMessage,
    message_deliver,
    message_queue,
    messages_queue,
    messages_requeue_stale,
    messages_retry_failed,
    retry_budget,
)
from notifications.tasks import message_deliver_task, messages_deliver_task
from tests.factories import UserFactory
from tests.smtp_server import LocalSmtpServer

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Sam", "link": "https://portal.example/invite/abc"}
# What the retries spanned before: Celery's autoretry, 2**n seconds for 9 retries.
PREVIOUS_BUDGET = timedelta(seconds=sum(2**n for n in range(1, 10)))  # 17 minutes
OUTAGE = timedelta(hours=25)
BEAT_EVERY = timedelta(minutes=5)  # the requeue's schedule in CELERY_BEAT_SCHEDULE


class Clock:
    """timezone.now, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend, talking to a local server the test can stop."""
    server = LocalSmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


class Worker:
    """A Celery worker's timed tasks: message_deliver_task scheduled with an ETA is
    kept here and run once the clock reaches it (or lost, when the test says so)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.scheduled: list[tuple[datetime, int]] = []

    def apply_async(self, args, eta=None, **kwargs) -> None:
        self.scheduled.append((eta or self.clock.now, args[0]))

    def run_due(self) -> None:
        due = [item for item in self.scheduled if item[0] <= self.clock.now]
        self.scheduled = [item for item in self.scheduled if item[0] > self.clock.now]
        for _, message_id in due:
            message_deliver_task(message_id)

    def lose_everything(self) -> None:
        self.scheduled.clear()


@pytest.fixture
def worker(clock, monkeypatch) -> Worker:
    worker = Worker(clock)
    monkeypatch.setattr(message_deliver_task, "apply_async", worker.apply_async)
    return worker


def queue_email(key: str) -> Message:
    """One email to a new account, written to the outbox."""
    return message_queue(
        recipient=UserFactory(),
        channel=Message.Channel.EMAIL,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key=key,
    )


def queue_emails(count: int) -> list[int]:
    parents = [UserFactory(email=f"parent{serial}@example.org") for serial in range(count)]
    return messages_queue(
        messages=[
            OutgoingMessage(
                recipient=parent,
                channel=Message.Channel.EMAIL,
                template="outbox_test",
                context=CONTEXT,
                idempotency_key=f"outage-{parent.pk}",
            )
            for parent in parents
        ]
    )


def run_for(span: timedelta, *, clock: Clock, worker: Worker, capture, until=None) -> timedelta:
    """Move the clock on by BEAT_EVERY at a time for up to ``span``, running the
    worker's due tasks and the requeue (beat) at each step; returns the time taken."""
    start = clock.now
    while clock.now - start < span:
        clock.now += BEAT_EVERY
        with capture(execute=True):
            worker.run_due()
            messages_requeue_stale()
        if until is not None and until():
            break
    return clock.now - start


def all_sent(message_ids: list[int]) -> bool:
    return not Message.objects.filter(pk__in=message_ids).exclude(status="sent").exists()


def test_default_retries_span_more_than_a_day_and_pass_the_system_check():
    assert retry_budget() >= timedelta(hours=24)
    assert message_retries_outlast_an_outage(None) == []


def test_a_schedule_shorter_than_a_day_is_a_system_check_warning(settings):
    settings.MESSAGE_RETRY_DELAYS = (timedelta(seconds=2), timedelta(seconds=4))
    settings.MESSAGE_MAX_ATTEMPTS = 10
    [warning] = message_retries_outlast_an_outage(None)
    assert warning.id == "notifications.W001"


def test_a_message_is_tried_over_more_than_a_day_before_it_fails(
    smtp, clock, worker, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        [message_id] = queue_emails(1)
    first_attempt = clock.now
    attempts_at = [first_attempt]
    message = Message.objects.get(pk=message_id)
    while message.status == Message.Status.PENDING:
        assert clock.now - first_attempt < timedelta(hours=48), "never failed"
        attempts = message.attempts
        run_for(
            timedelta(hours=13),
            clock=clock,
            worker=worker,
            capture=django_capture_on_commit_callbacks,
            until=lambda attempts=attempts: Message.objects.get(pk=message_id).attempts > attempts,
        )
        attempts_at.append(clock.now)
        message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 9
    assert message.failed_at == clock.now
    assert message.last_error == "Email ConnectionRefusedError"
    assert clock.now - first_attempt >= timedelta(hours=24)
    # Backing off: the first retries come within minutes, the last hours apart.
    gaps = [later - earlier for earlier, later in pairwise(attempts_at)]
    assert gaps[0] <= timedelta(minutes=5)
    assert gaps[-1] >= timedelta(hours=12)


@pytest.mark.parametrize("tasks_lost", [False, True], ids=["worker-kept", "tasks-lost"])
def test_every_message_is_sent_once_after_an_smtp_outage_longer_than_a_day(
    smtp, clock, worker, tasks_lost, django_capture_on_commit_callbacks
):
    assert max(PREVIOUS_BUDGET, timedelta(hours=24)) < OUTAGE
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        message_ids = queue_emails(6)
    messages = Message.objects.filter(pk__in=message_ids)
    assert {(m.status, m.attempts) for m in messages} == {("pending", 1)}

    run_for(OUTAGE, clock=clock, worker=worker, capture=django_capture_on_commit_callbacks)
    assert smtp.received == []
    assert set(messages.values_list("status", flat=True)) == {"pending"}
    assert min(messages.values_list("attempts", flat=True)) >= 7
    if tasks_lost:  # the broker and the worker restarted empty
        worker.lose_everything()

    smtp.start()
    took = run_for(
        retry_budget(),
        clock=clock,
        worker=worker,
        capture=django_capture_on_commit_callbacks,
        until=lambda: all_sent(message_ids),
    )
    assert all_sent(message_ids), "some messages were not sent once the server was back"
    assert took <= timedelta(hours=13)  # the longest delay, and the requeue's grace
    # Then nothing more is sent, whatever runs.
    run_for(
        timedelta(hours=2), clock=clock, worker=worker, capture=django_capture_on_commit_callbacks
    )

    received = Counter(email["To"] for email in smtp.received)
    assert received == Counter({f"parent{serial}@example.org": 1 for serial in range(6)})
    provider_ids = {email["Message-ID"] for email in smtp.received}
    assert provider_ids == set(messages.values_list("provider_id", flat=True))
    assert not messages.filter(status=Message.Status.FAILED).exists()


def test_a_hung_smtp_server_costs_one_attempt_of_email_timeout(settings):
    hung = LocalSmtpServer(hang=True).start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hung.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 1
        message = queue_email("hung")
        started = time.monotonic()
        with pytest.raises(TransientDeliveryError):
            message_deliver(message_id=message.pk)
        assert time.monotonic() - started < 5
    finally:
        hung.stop()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
    assert message.next_attempt_at > timezone.now()


def test_email_timeout_is_set_and_used_by_the_smtp_backend(settings):
    from django.conf import global_settings

    from portal import settings as portal_settings

    assert global_settings.EMAIL_TIMEOUT is None  # Django would wait for ever
    assert portal_settings.EMAIL_TIMEOUT == 20
    settings.EMAIL_TIMEOUT = 7
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == 7


def test_requeue_hands_out_a_retry_hours_away_only_once_it_is_due(clock, monkeypatch):
    message = queue_email("later")
    # Two attempts failed long ago; the third is due in three hours, its task lost.
    Message.objects.filter(pk=message.pk).update(
        created_at=clock.now - timedelta(days=1),
        attempts=5,
        next_attempt_at=clock.now + timedelta(hours=3),
    )
    batches = []
    monkeypatch.setattr(messages_deliver_task, "delay", batches.append)
    assert messages_requeue_stale() == 0
    clock.now += timedelta(hours=3, minutes=5)
    assert messages_requeue_stale() == 0  # its own task may still come
    clock.now += timedelta(minutes=10)
    assert messages_requeue_stale() == 1
    assert batches == [[message.pk]]
    message.refresh_from_db()
    assert message.next_attempt_at == clock.now  # due: the task it was handed sends it
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 6)
    assert len(mail.outbox) == 1


def test_a_task_for_a_retry_not_yet_due_spends_no_attempt(clock):
    message = queue_email("early")
    Message.objects.filter(pk=message.pk).update(
        attempts=3, next_attempt_at=clock.now + timedelta(minutes=15)
    )
    message_deliver_task(message.pk)  # a duplicate of a task, or a stray requeue
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 3)
    assert mail.outbox == []


def test_requeue_reports_failed_messages_instead_of_ignoring_them(clock, caplog):
    failed = queue_email("failed")
    Message.objects.filter(pk=failed.pk).update(
        status=Message.Status.FAILED, failed_at=clock.now - timedelta(hours=2)
    )
    with caplog.at_level(logging.ERROR, logger="notifications.services.delivery"):
        messages_requeue_stale()
    assert "1 messages failed in the last 24 hours" in caplog.text
    assert failed.to_address not in caplog.text
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED  # reported, not sent again by itself

    caplog.clear()
    clock.now += timedelta(hours=23)
    with caplog.at_level(logging.ERROR, logger="notifications.services.delivery"):
        messages_requeue_stale()
    assert "failed" not in caplog.text  # a day on, no longer reported


def test_retrying_a_failed_message_sends_it_once_with_a_full_round_of_attempts(
    django_capture_on_commit_callbacks,
):
    failed = queue_email("retry-me")
    sent = queue_email("already-sent")
    Message.objects.filter(pk=failed.pk).update(
        status=Message.Status.FAILED, attempts=9, failed_at=timezone.now()
    )
    Message.objects.filter(pk=sent.pk).update(status=Message.Status.SENT, attempts=1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        retried = messages_retry_failed(message_ids=[failed.pk, sent.pk])
        failed.refresh_from_db()
        assert (failed.status, failed.attempts, failed.failed_at) == ("pending", 0, None)
    assert retried == [failed.pk]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.SENT, 1)
    assert sent.attempts == 1
    assert [email.to for email in mail.outbox] == [[failed.to_address]]
