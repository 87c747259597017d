"""messages_queue: many messages written in the caller's transaction, in batches."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import sms
from notifications.models import Message
from notifications.services import DELIVERY_BATCH_SIZE, OutgoingMessage, messages_queue
from notifications.tasks import message_deliver_task, messages_deliver_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Sam", "link": "https://portal.example/invite/abc"}


def email_to(recipient, key, **fields):
    return OutgoingMessage(
        recipient=recipient,
        channel=Message.Channel.EMAIL,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key=key,
        **fields,
    )


def sms_to(recipient, key, **fields):
    fields.setdefault("template", "outbox_test")
    fields.setdefault("context", CONTEXT)
    return OutgoingMessage(
        recipient=recipient, channel=Message.Channel.SMS, idempotency_key=key, **fields
    )


def test_many_messages_are_written_pending_and_delivered_only_after_commit(
    django_capture_on_commit_callbacks,
):
    parents = [UserFactory(mobile=f"+44770090000{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        written = messages_queue(
            messages=[
                *(email_to(parent, f"email-{parent.pk}", reference="test:1") for parent in parents),
                *(sms_to(parent, f"sms-{parent.pk}", reference="test:2") for parent in parents),
            ]
        )
        assert Message.objects.filter(status=Message.Status.PENDING).count() == 6
        assert mail.outbox == [] and sms.outbox == []
    assert len(callbacks) == 1
    assert sorted(written) == sorted(Message.objects.values_list("pk", flat=True))
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in parents)
    assert sorted(s.to for s in sms.outbox) == sorted(p.mobile for p in parents)
    assert Message.objects.filter(reference="test:1", channel="email").count() == 3
    assert Message.objects.filter(reference="test:2", channel="sms").count() == 3
    assert mail.outbox[0].subject == "Hello Sam & welcome"


def test_nothing_is_written_or_sent_when_the_callers_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        messages_queue(messages=[email_to(parent, "a"), email_to(parent, "b")])
        raise RuntimeError("the change that caused the messages failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


def _queries_to_queue(count: int) -> list[str]:
    parents = UserFactory.create_batch(count)
    with CaptureQueriesContext(connection) as queries:
        messages_queue(messages=[email_to(parent, f"n{count}-{parent.pk}") for parent in parents])
    return [query["sql"] for query in queries.captured_queries]


def test_queueing_1_or_30_messages_takes_the_same_statements():
    one = _queries_to_queue(1)
    thirty = _queries_to_queue(30)
    assert len(one) == len(thirty) == 2  # which keys exist already; one INSERT
    assert Message.objects.count() == 31


def test_messages_are_inserted_a_batch_at_a_time():
    parents = UserFactory.create_batch(25)
    with CaptureQueriesContext(connection) as queries:
        written = messages_queue(
            messages=(email_to(parent, f"k-{parent.pk}") for parent in parents), batch_size=10
        )
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3
    assert len(written) == Message.objects.count() == 25


def test_closed_and_restricted_recipients_are_left_out():
    open_parent = UserFactory()
    closed = UserFactory(closed_at=timezone.now(), is_active=False)
    restricted = UserFactory(processing_restricted=True)
    written = messages_queue(
        messages=[
            email_to(parent, f"k-{parent.pk}") for parent in (open_parent, closed, restricted)
        ]
    )
    assert list(Message.objects.values_list("to_address", flat=True)) == [open_parent.email]
    assert written == [Message.objects.get().pk]


def test_a_key_already_queued_or_repeated_is_written_once():
    parent = UserFactory()
    first = messages_queue(messages=[email_to(parent, "same")])
    again = messages_queue(
        messages=[email_to(parent, "same"), email_to(parent, "new"), email_to(parent, "new")]
    )
    assert len(first) == 1 and len(again) == 1
    assert sorted(Message.objects.values_list("idempotency_key", flat=True)) == ["new", "same"]


def test_explicit_address_for_a_contact_without_an_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=[email_to(None, "k", to_address="contact@example.org")])
    assert mail.outbox[0].to == ["contact@example.org"]


def test_an_sms_too_long_falls_back_to_the_shorter_wording():
    parent = UserFactory(mobile="+447700900123")
    messages_queue(
        messages=[
            sms_to(
                parent,
                "k",
                template="outbox_long",
                context={"text": "x" * 400},
                shorter_contexts=[{"text": "y" * 350}, {"text": "short enough"}],
            )
        ]
    )
    assert Message.objects.get().body_text == "short enough"


def test_an_sms_too_long_in_every_wording_writes_nothing():
    parent = UserFactory(mobile="+447700900123")
    with pytest.raises(ValueError, match="SMS too long"), transaction.atomic():
        messages_queue(
            messages=[
                email_to(parent, "fine"),
                sms_to(parent, "k", template="outbox_long", context={"text": "x" * 400}),
            ]
        )
    assert not Message.objects.exists()


def test_a_message_without_an_address_is_refused():
    parent = UserFactory(mobile="")
    with pytest.raises(ValueError, match="No sms address"), transaction.atomic():
        messages_queue(messages=[sms_to(parent, "k")])
    assert not Message.objects.exists()


def test_broker_down_at_commit_keeps_the_change_and_the_messages_pending(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def broker_down(message_ids):
        calls.append(message_ids)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(messages_deliver_task, "delay", broker_down)
    parents = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=[email_to(parent, f"k-{parent.pk}") for parent in parents])
    assert Message.objects.filter(status=Message.Status.PENDING).count() == 3
    assert len(calls) == 1  # the first failure ends the enqueueing; the requeue task resumes
    assert mail.outbox == []


def test_messages_are_handed_to_workers_in_batches(monkeypatch, django_capture_on_commit_callbacks):
    batches = []
    monkeypatch.setattr(messages_deliver_task, "delay", batches.append)
    parents = UserFactory.create_batch(DELIVERY_BATCH_SIZE + 1)

    with django_capture_on_commit_callbacks(execute=True):
        written = messages_queue(
            messages=[email_to(parent, f"b-{parent.pk}") for parent in parents]
        )

    assert [len(batch) for batch in batches] == [DELIVERY_BATCH_SIZE, 1]
    assert sorted(message_id for batch in batches for message_id in batch) == sorted(written)


def test_a_batch_sends_each_message_once_however_often_it_runs():
    parents = UserFactory.create_batch(3)
    with transaction.atomic():
        written = messages_queue(
            messages=[email_to(parent, f"o-{parent.pk}") for parent in parents]
        )
    mail.outbox.clear()

    messages_deliver_task.delay(written)
    messages_deliver_task.delay(written)

    assert len(mail.outbox) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_a_message_to_try_again_leaves_its_batch_for_its_own_retry(
    monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.errors import TransientDeliveryError
    from notifications.services import delivery

    parents = UserFactory.create_batch(3)
    with transaction.atomic():
        written = messages_queue(
            messages=[email_to(parent, f"r-{parent.pk}") for parent in parents]
        )
    mail.outbox.clear()
    flaky_id = written[1]
    send = delivery._send_email

    def send_or_fail(message):
        if message.pk == flaky_id:
            raise TransientDeliveryError("provider busy")
        return send(message)

    retries = []
    monkeypatch.setattr(delivery, "_send_email", send_or_fail)
    monkeypatch.setattr(
        message_deliver_task, "apply_async", lambda args, eta=None: retries.append(args)
    )

    with django_capture_on_commit_callbacks(execute=True):
        messages_deliver_task.delay(written)

    assert retries == [(flaky_id,)]
    assert len(mail.outbox) == 2
