"""Status changes are announced; providers' delivery receipts are recorded."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import sms
from notifications.models import Message
from notifications.services import message_deliver, message_queue, message_receipt_record
from notifications.signals import message_status_changed
from tests.factories import UserFactory
from tests.notifications.test_outbox import FlakySmsBackend

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-callback-token"
CONTEXT = {"name": "Sam", "link": "https://portal.example/invite/abc"}


@pytest.fixture
def changes():
    """Every message_status_changed as (message id, previous status, new status)."""
    seen = []

    def record(sender, message, previous_status, **kwargs):
        seen.append((message.pk, previous_status, message.status))

    message_status_changed.connect(record, dispatch_uid="test-record")
    yield seen
    message_status_changed.disconnect(dispatch_uid="test-record")


def sent_sms(django_capture_on_commit_callbacks, key="sms-1") -> Message:
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            recipient=UserFactory(mobile="+447700900123"),
            channel=Message.Channel.SMS,
            template="outbox_test",
            context=CONTEXT,
            idempotency_key=key,
            reference="test:7",
        )
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    return message


def test_sending_is_announced_once(changes, django_capture_on_commit_callbacks):
    message = sent_sms(django_capture_on_commit_callbacks)
    message_deliver(message_id=message.pk)  # not pending any more: nothing happens
    assert changes == [(message.pk, "pending", "sent")]


def test_a_failure_and_a_cancellation_are_announced(changes, settings):
    settings.SMS_BACKEND = "tests.notifications.test_outbox.FlakySmsBackend"
    FlakySmsBackend.calls = 0
    FlakySmsBackend.failures = 99
    settings.MESSAGE_MAX_ATTEMPTS = 1
    parent = UserFactory(mobile="+447700900123")
    failing = message_queue(
        recipient=parent,
        channel="sms",
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="a",
    )
    cancelled = message_queue(
        recipient=UserFactory(),
        channel="email",
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="b",
    )
    message_deliver(message_id=failing.pk)
    cancelled.recipient.closed_at = timezone.now()
    cancelled.recipient.save(update_fields=["closed_at"])
    message_deliver(message_id=cancelled.pk)
    assert changes == [(failing.pk, "pending", "failed"), (cancelled.pk, "pending", "cancelled")]


def test_a_failing_receiver_neither_undoes_the_sending_nor_keeps_its_own_writes(
    django_capture_on_commit_callbacks,
):
    def broken(sender, message, **kwargs):
        UserFactory(email="written-by-a-broken-receiver@example.org")
        raise RuntimeError("receiver bug")

    message_status_changed.connect(broken, dispatch_uid="test-broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = message_queue(
                recipient=UserFactory(),
                channel="email",
                template="outbox_test",
                context=CONTEXT,
                idempotency_key="k",
            )
    finally:
        message_status_changed.disconnect(dispatch_uid="test-broken")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1
    assert not UserFactory._meta.model.objects.filter(
        email="written-by-a-broken-receiver@example.org"
    ).exists()


def test_delivered_receipt_moves_a_sent_message_on_once(
    changes, django_capture_on_commit_callbacks
):
    message = sent_sms(django_capture_on_commit_callbacks)
    changes.clear()
    for _ in range(2):
        message_receipt_record(
            message_id=message.pk, status="delivered", provider_id=message.provider_id
        )
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert changes == [(message.pk, "sent", "delivered")]


def test_a_bounce_records_why_and_a_later_receipt_changes_nothing(
    django_capture_on_commit_callbacks,
):
    message = sent_sms(django_capture_on_commit_callbacks)
    message_receipt_record(message_id=message.pk, status="bounced", detail="Notify permanent")
    message_receipt_record(message_id=message.pk, status="delivered")
    message.refresh_from_db()
    assert message.status == Message.Status.BOUNCED
    assert message.last_error == "Notify permanent"


def test_a_receipt_for_another_sending_is_ignored(django_capture_on_commit_callbacks):
    message = sent_sms(django_capture_on_commit_callbacks)
    message_receipt_record(message_id=message.pk, status="bounced", provider_id="someone-else")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_receipt_for_a_message_still_pending_stops_it_being_sent_again():
    # The provider took it, but the worker died before recording that.
    message = message_queue(
        recipient=UserFactory(mobile="+447700900123"),
        channel="sms",
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="k",
    )
    message_receipt_record(message_id=message.pk, status="delivered", provider_id="n-1")
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.sent_at is not None
    assert sms.outbox == []


def test_a_receipt_for_an_unknown_message_is_none():
    assert message_receipt_record(message_id=987654, status="delivered") is None


def test_a_receipt_status_must_be_a_receipt_status():
    with pytest.raises(ValueError):
        message_receipt_record(message_id=1, status="sent")


# The GOV.UK Notify callback.


@pytest.fixture
def notify_callback(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    client = Client(enforce_csrf_checks=True)

    def post(body, token=TOKEN, content_type="application/json"):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return client.post(
            reverse("notifications:notify_delivery_receipt"),
            data,
            content_type=content_type,
            headers=headers,
        )

    return post


def receipt(message: Message, status: str) -> dict:
    """A receipt in the format Notify documents for delivery-status callbacks."""
    return {
        "id": message.provider_id,
        "reference": f"message-{message.pk}",
        "to": message.to_address,
        "status": status,
        "created_at": "2026-05-14T12:15:30.000000Z",
        "completed_at": "2026-05-14T12:15:31.000000Z",
        "sent_at": "2026-05-14T12:15:30.500000Z",
        "notification_type": "sms",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 1,
    }


@pytest.mark.parametrize(
    ("notify_status", "status", "last_error"),
    [
        ("delivered", "delivered", ""),
        ("permanent-failure", "bounced", "Notify permanent-failure"),
        ("temporary-failure", "failed", "Notify temporary-failure"),
        ("technical-failure", "failed", "Notify technical-failure"),
    ],
)
def test_notify_receipt_records_the_outcome(
    notify_callback, django_capture_on_commit_callbacks, notify_status, status, last_error
):
    message = sent_sms(django_capture_on_commit_callbacks)
    response = notify_callback(receipt(message, notify_status))
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == status
    assert message.last_error == last_error


def test_notify_receipt_twice_is_recorded_once(
    notify_callback, changes, django_capture_on_commit_callbacks
):
    message = sent_sms(django_capture_on_commit_callbacks)
    changes.clear()
    assert notify_callback(receipt(message, "delivered")).status_code == 204
    assert notify_callback(receipt(message, "delivered")).status_code == 204
    assert changes == [(message.pk, "sent", "delivered")]


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x", TOKEN[:-1]], ids=repr)
def test_notify_receipt_with_a_wrong_token_is_forbidden(
    notify_callback, django_capture_on_commit_callbacks, token
):
    message = sent_sms(django_capture_on_commit_callbacks)
    assert notify_callback(receipt(message, "permanent-failure"), token=token).status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_notify_receipts_are_refused_when_no_token_is_configured(
    notify_callback, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    message = sent_sms(django_capture_on_commit_callbacks)
    assert notify_callback(receipt(message, "delivered"), token="").status_code == 403


def test_the_token_is_compared_in_constant_time(monkeypatch, notify_callback):
    from notifications import views

    compared = []

    def spy(given, expected):
        compared.append((given, expected))
        return False

    monkeypatch.setattr(views, "constant_time_compare", spy)
    assert notify_callback({"status": "delivered"}, token="guess").status_code == 403
    assert compared == [("guess", TOKEN)]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe not utf-8",
        "[]",
        "null",
        {"reference": "message-1"},
        {"reference": "message-1", "status": "sent"},
        {"reference": "message-1", "status": 3},
        {"reference": 1, "status": "delivered"},
        {"reference": "message-1", "status": "delivered", "id": ["x"]},
    ],
    ids=repr,
)
def test_notify_receipt_that_is_not_a_receipt_is_a_bad_request(
    notify_callback, django_capture_on_commit_callbacks, body
):
    message = sent_sms(django_capture_on_commit_callbacks)
    if isinstance(body, dict) and body["reference"] == "message-1":
        body = {**body, "reference": f"message-{message.pk}"}
    assert notify_callback(body).status_code == 400
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


@pytest.mark.parametrize(
    "reference",
    [None, "", "someone-elses-ref", "message-0", "message-987654", "message-" + "9" * 30],
    ids=repr,
)
def test_notify_receipt_for_a_message_that_is_not_ours_is_accepted_and_ignored(
    notify_callback, reference
):
    response = notify_callback({"reference": reference, "status": "delivered", "id": "n-1"})
    assert response.status_code == 204
    assert not Message.objects.exists()


def test_notify_callback_takes_only_post(notify_callback):
    assert Client().get(reverse("notifications:notify_delivery_receipt")).status_code == 405
