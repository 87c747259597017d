from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from notifications_python_client.errors import HTTPError

from notifications import sms
from notifications.errors import DeliveryError, TransientDeliveryError
from notifications.models import Message
from notifications.services import (
    message_cancel_pending,
    message_deliver,
    message_queue,
    messages_requeue_stale,
)
from notifications.tasks import message_deliver_task, messages_deliver_task
from tests.concurrency import at_once, needs_postgresql
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Sam", "link": "https://portal.example/invite/abc?x=1&y=2"}


def queue_email(recipient, key="key-1", **kwargs):
    return message_queue(
        recipient=recipient,
        channel=Message.Channel.EMAIL,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key=key,
        **kwargs,
    )


def queue_sms(recipient, key="sms-1", template="outbox_test", context=None, **kwargs):
    return message_queue(
        recipient=recipient,
        channel=Message.Channel.SMS,
        template=template,
        context=context or CONTEXT,
        idempotency_key=key,
        **kwargs,
    )


class FlakySmsBackend:
    """Fails transiently the first ``failures`` times, then keeps the SMS."""

    failures = 0
    calls = 0

    def send(self, *, to, body, reference):
        FlakySmsBackend.calls += 1
        if FlakySmsBackend.calls <= FlakySmsBackend.failures:
            raise TransientDeliveryError("Provider status 503")
        sms.outbox.append(sms.SentSms(to=to, body=body, reference=reference, provider_id="p-1"))
        return "p-1"


@pytest.fixture
def flaky_sms(settings):
    settings.SMS_BACKEND = "tests.notifications.test_outbox.FlakySmsBackend"
    FlakySmsBackend.calls = 0

    def configure(failures):
        FlakySmsBackend.failures = failures

    return configure


def test_email_is_written_pending_and_sent_only_after_commit(django_capture_on_commit_callbacks):
    parent = UserFactory(email="parent@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_email(parent)
        assert Message.objects.get().status == Message.Status.PENDING
        assert mail.outbox == []
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.provider_id
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["parent@example.org"]
    assert sent.subject == "Hello Sam & welcome"
    assert sent.extra_headers["Message-ID"] == message.provider_id
    # Plain text is not HTML-escaped; the HTML alternative is.
    assert "https://portal.example/invite/abc?x=1&y=2" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert "abc?x=1&amp;y=2" in html


def test_rolled_back_transaction_leaves_no_message_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email(parent)
        queue_sms(UserFactory(mobile="+447700900123"))
        raise RuntimeError("the change that caused the message failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []
    assert sms.outbox == []


def test_sms_is_delivered_after_commit_to_the_recipients_mobile(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory(mobile="+447700900123")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(parent)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [(text.to, text.body) for text in sms.outbox] == [
        ("+447700900123", "Hello Sam: https://portal.example/invite/abc?x=1&y=2")
    ]
    assert sms.outbox[0].provider_id == message.provider_id
    assert sms.outbox[0].reference == f"message-{message.pk}"


def test_explicit_address_is_used_for_a_contact_without_an_account(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email(None, to_address="contact@example.org")
    assert message.recipient is None
    assert mail.outbox[0].to == ["contact@example.org"]


def test_delivering_twice_sends_once(django_capture_on_commit_callbacks):
    parent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email(parent)
    message_deliver(message_id=message.pk)
    message_deliver_task.delay(message.pk)
    message.refresh_from_db()
    assert len(mail.outbox) == 1
    assert message.attempts == 1


def test_transient_failure_leaves_message_pending_with_the_attempt_recorded(flaky_sms):
    flaky_sms(failures=1)
    parent = UserFactory(mobile="+447700900123")
    message = queue_sms(parent)  # not committed: nothing enqueued yet
    with pytest.raises(TransientDeliveryError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert message.last_error == "Provider status 503"
    assert message.next_attempt_at > timezone.now()
    assert sms.outbox == []

    message_deliver(message_id=message.pk)  # the retry is not due yet: nothing happens
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)

    fall_due(message)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(sms.outbox) == 1


def fall_due(message):
    """Move the clock to the message's next attempt (by moving the attempt back)."""
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_task_schedules_the_retry_for_next_attempt_at_until_sent(
    flaky_sms, monkeypatch, django_capture_on_commit_callbacks
):
    flaky_sms(failures=2)
    scheduled = []
    monkeypatch.setattr(
        message_deliver_task, "apply_async", lambda args, eta: scheduled.append((args, eta))
    )
    parent = UserFactory(mobile="+447700900123")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(parent)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
    assert scheduled == [((message.pk,), message.next_attempt_at)]
    for _ in range(2):
        fall_due(message)
        with django_capture_on_commit_callbacks(execute=True):
            message_deliver_task(message.pk)  # the scheduled task, due now
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 3)
    assert len(scheduled) == 2  # after each failure, none after the send
    assert len(sms.outbox) == 1


def test_tasks_leave_retries_to_the_schedule_not_to_celery():
    assert not getattr(message_deliver_task, "autoretry_for", ())
    assert message_deliver_task.acks_late is True


def test_message_fails_after_the_last_allowed_attempt(flaky_sms, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    flaky_sms(failures=5)
    message = queue_sms(UserFactory(mobile="+447700900123"))
    with pytest.raises(TransientDeliveryError):
        message_deliver(message_id=message.pk)
    fall_due(message)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 2
    message_deliver(message_id=message.pk)
    assert FlakySmsBackend.calls == 2


def test_broker_down_at_commit_keeps_the_change_and_the_pending_message(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(messages_deliver_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email(UserFactory())
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert mail.outbox == []


def test_requeue_sends_stale_pending_messages_only(monkeypatch):
    parent = UserFactory(mobile="+447700900123")
    stale = queue_sms(parent, key="stale")
    fresh = queue_sms(parent, key="fresh")
    sent_long_ago = queue_sms(parent, key="sent")
    retry_due_long_ago = queue_sms(parent, key="retry-old")
    retry_due_soon = queue_sms(parent, key="retry-new")
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk__in=[stale.pk, sent_long_ago.pk, retry_due_soon.pk]).update(
        created_at=long_ago
    )
    Message.objects.filter(pk=sent_long_ago.pk).update(status=Message.Status.SENT)
    Message.objects.filter(pk=retry_due_long_ago.pk).update(next_attempt_at=long_ago)
    Message.objects.filter(pk=retry_due_soon.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    batches = []
    monkeypatch.setattr(messages_deliver_task, "delay", batches.append)

    assert messages_requeue_stale(older_than=timedelta(minutes=10)) == 2
    enqueued = [message_id for batch in batches for message_id in batch]
    assert sorted(enqueued) == sorted([stale.pk, retry_due_long_ago.pk])
    assert fresh.pk not in enqueued
    # Just requeued: the next run leaves them to their task.
    assert messages_requeue_stale(older_than=timedelta(minutes=10)) == 0


def test_requeue_delivers_a_message_whose_task_was_lost(monkeypatch):
    parent = UserFactory()
    message = queue_email(parent)  # its on-commit enqueue never ran
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    messages_requeue_stale()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_closed_parent_receives_no_messages(django_capture_on_commit_callbacks):
    parent = UserFactory(closed_at=timezone.now(), is_active=False, mobile="+447700900123")
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_email(parent) is None
        assert queue_sms(parent) is None
    assert not Message.objects.exists()
    assert mail.outbox == []
    assert sms.outbox == []


def test_inactive_parent_not_yet_registered_still_receives_an_invitation(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_email(parent) is not None
    assert len(mail.outbox) == 1


def test_restricted_parent_receives_no_messages_not_even_service_ones(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory(processing_restricted=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_email(parent, key="engage", kind=Message.Kind.ENGAGEMENT) is None
        assert queue_email(parent, key="service", kind=Message.Kind.SERVICE) is None
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_message_queued_before_closure_is_cancelled_not_sent():
    parent = UserFactory()
    message = queue_email(parent)
    parent.closed_at = timezone.now()
    parent.save(update_fields=["closed_at"])
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    assert mail.outbox == []


def test_cancel_pending_stops_waiting_messages():
    parent = UserFactory()
    message = queue_email(parent)
    assert message_cancel_pending(recipient=parent) == 1
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("a" * 306, True),
        ("a" * 307, False),
        ("€" * 153, True),  # extension characters cost two septets
        ("€" * 154, False),
        ("é" * 306, True),  # in the GSM-7 basic set
        ("ŵ" * 134, True),  # Welsh w-circumflex needs UCS-2
        ("ŵ" * 135, False),
        ("😀" * 67, True),  # two UCS-2 units each
        ("😀" * 68, False),
    ],
)
def test_sms_body_stays_within_two_segments(text, allowed):
    parent = UserFactory(mobile="+447700900123")
    if allowed:
        assert queue_sms(parent, template="outbox_long", context={"text": text}) is not None
    else:
        with pytest.raises(ValueError, match="SMS too long"):
            queue_sms(parent, template="outbox_long", context={"text": text})
        assert not Message.objects.exists()


def test_repeated_idempotency_key_returns_the_first_message(django_capture_on_commit_callbacks):
    parent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_email(parent, key="invitation-7-email")
        again = queue_email(parent, key="invitation-7-email")
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_permanent_email_refusal_fails_the_message_without_retry(monkeypatch):
    import smtplib

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"parent@example.org": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    message = queue_email(UserFactory(email="parent@example.org"))
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error == "SMTP recipient refused"
    assert "parent@example.org" not in message.last_error


class FakeResponse:
    def __init__(self, status_code):
        self.status_code = status_code

    def json(self):
        return {"errors": [{"message": "phone number +447700900123 is not allowed"}]}


class FakeNotifyClient:
    sent: list = []
    fail_with: int | None = None

    def __init__(self, api_key):
        self.api_key = api_key

    def send_sms_notification(self, **kwargs):
        if FakeNotifyClient.fail_with:
            raise HTTPError(FakeResponse(FakeNotifyClient.fail_with))
        FakeNotifyClient.sent.append({"api_key": self.api_key, **kwargs})
        return {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}


@pytest.fixture
def fake_notify(settings, monkeypatch):
    settings.SMS_BACKEND = "notifications.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_SMS_TEMPLATE_ID = "template-123"
    monkeypatch.setattr(sms, "NotificationsAPIClient", FakeNotifyClient)
    FakeNotifyClient.sent = []
    FakeNotifyClient.fail_with = None
    return FakeNotifyClient


def test_notify_backend_sends_the_body_through_the_template(
    fake_notify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(UserFactory(mobile="+447700900123"))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_id == "740e5834-3a29-46b4-9a6f-16142fde533a"
    assert fake_notify.sent == [
        {
            "api_key": "test-key",
            "phone_number": "+447700900123",
            "template_id": "template-123",
            "personalisation": {"body": "Hello Sam: https://portal.example/invite/abc?x=1&y=2"},
            "reference": f"message-{message.pk}",
        }
    ]


@pytest.mark.parametrize(
    ("status", "error"), [(503, TransientDeliveryError), (429, TransientDeliveryError)]
)
def test_notify_backend_busy_is_retryable(fake_notify, status, error):
    fake_notify.fail_with = status
    message = queue_sms(UserFactory(mobile="+447700900123"))
    with pytest.raises(error):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.last_error == f"Notify status {status}"


def test_notify_backend_refusal_fails_without_personal_data_in_the_error(fake_notify):
    fake_notify.fail_with = 400
    message = queue_sms(UserFactory(mobile="+447700900123"))
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error == "Notify status 400"
    assert fake_notify.sent == []


def test_notify_backend_without_configuration_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.NOTIFY_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        sms.NotifySmsBackend()


def test_delivery_error_is_not_retryable():
    assert not issubclass(DeliveryError, TransientDeliveryError)


def test_beat_requeues_stale_messages_every_five_minutes(settings):
    from portal.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["messages-requeue-stale"]
    assert entry["task"] == "notifications.tasks.messages_requeue_stale_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == timedelta(minutes=5)


class SlowSmsBackend:
    """Holds the provider call open long enough for a second worker to arrive."""

    def send(self, *, to, body, reference):
        import time

        time.sleep(0.3)
        sms.outbox.append(sms.SentSms(to=to, body=body, reference=reference, provider_id="s"))
        return "s"


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_message_at_once_send_it_once(settings, monkeypatch):
    needs_postgresql()
    settings.SMS_BACKEND = "tests.notifications.test_outbox.SlowSmsBackend"
    monkeypatch.setattr(messages_deliver_task, "delay", lambda message_ids: None)
    message = queue_sms(UserFactory(mobile="+447700900123"))

    def deliver():
        message_deliver(message_id=message.pk)

    assert at_once(deliver, deliver).errors == []
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert len(sms.outbox) == 1


def test_console_backend_prints_the_sms(settings, capsys, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(UserFactory(mobile="+447700900123"))
    message.refresh_from_db()
    printed = capsys.readouterr().out
    assert "SMS to +447700900123" in printed
    assert "Hello Sam: https://portal.example/invite/abc?x=1&y=2" in printed
    assert message.status == Message.Status.SENT
    assert message.provider_id.startswith("console-")
