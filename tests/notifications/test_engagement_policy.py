"""Engagement messages follow the parent's channel preferences and quiet hours;
service messages always go; a restricted or closed account gets nothing."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import sms
from notifications.models import Message, NotificationPreference
from notifications.policy import quiet_hours_end
from notifications.services import (
    OutgoingMessage,
    message_deliver,
    message_queue,
    messages_queue,
    messages_requeue_stale,
    notification_preferences_set,
)
from notifications.tasks import message_deliver_task, messages_deliver_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CONTEXT = {"name": "Sam", "link": "https://portal.example/children/1/"}
ENGAGEMENT = Message.Kind.ENGAGEMENT


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Stops ``timezone.now()`` (and so ``auto_now_add``) at the time given."""

    def set_to(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def outgoing(recipient, channel, *, kind=ENGAGEMENT, key=None):
    return OutgoingMessage(
        recipient=recipient,
        channel=channel,
        template="outbox_test",
        context=CONTEXT,
        kind=kind,
        idempotency_key=key or f"{kind}:{recipient.pk}:{channel}",
        reference="test:1",
    )


def both_channels(parent, **fields):
    return [
        outgoing(parent, Message.Channel.EMAIL, **fields),
        outgoing(parent, Message.Channel.SMS, **fields),
    ]


def parent_with_both(**fields):
    return UserFactory(mobile="+447700900123", **fields)


def channels_queued(parent):
    return sorted(Message.objects.filter(recipient=parent).values_list("channel", flat=True))


# --- Channel preferences --------------------------------------------------------


def test_without_a_saved_choice_engagement_goes_to_every_channel_with_an_address(
    clock, django_capture_on_commit_callbacks
):
    clock(london(2026, 5, 12, 10, 0))
    parent = parent_with_both()
    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=both_channels(parent))
    assert channels_queued(parent) == ["email", "sms"]
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert [s.to for s in sms.outbox] == [parent.mobile]


@pytest.mark.parametrize(
    ("email_on", "sms_on", "expected"),
    [
        (True, True, ["email", "sms"]),
        (True, False, ["email"]),
        (False, True, ["sms"]),
        (False, False, []),
    ],
)
def test_engagement_messages_go_only_on_the_channels_the_parent_chose(
    clock, django_capture_on_commit_callbacks, email_on, sms_on, expected
):
    clock(london(2026, 5, 12, 10, 0))
    parent = parent_with_both()
    notification_preferences_set(user=parent, engagement_email=email_on, engagement_sms=sms_on)

    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=both_channels(parent))

    assert channels_queued(parent) == expected
    assert len(mail.outbox) == int(email_on)
    assert len(sms.outbox) == int(sms_on)


def test_a_single_queued_engagement_message_follows_the_preferences_too(clock):
    clock(london(2026, 5, 12, 10, 0))
    parent = parent_with_both()
    notification_preferences_set(user=parent, engagement_email=False, engagement_sms=True)

    refused = message_queue(
        recipient=parent,
        channel=Message.Channel.EMAIL,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="e",
        kind=ENGAGEMENT,
    )
    sent = message_queue(
        recipient=parent,
        channel=Message.Channel.SMS,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="s",
        kind=ENGAGEMENT,
    )

    assert refused is None
    assert sent is not None and sent.channel == Message.Channel.SMS
    assert channels_queued(parent) == ["sms"]


def test_service_messages_go_whatever_the_parent_chose_for_engagement(
    clock, django_capture_on_commit_callbacks
):
    clock(london(2026, 5, 12, 23, 0))  # quiet hours too: a service SMS is not held
    parent = parent_with_both()
    notification_preferences_set(user=parent, engagement_email=False, engagement_sms=False)

    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=both_channels(parent, kind=Message.Kind.SERVICE))

    assert channels_queued(parent) == ["email", "sms"]
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert not Message.objects.filter(not_before__isnull=False).exists()


def test_one_parents_choice_does_not_apply_to_another_in_the_same_batch(clock):
    clock(london(2026, 5, 12, 10, 0))
    quiet_parent, other = parent_with_both(), parent_with_both()
    notification_preferences_set(user=quiet_parent, engagement_email=False, engagement_sms=False)

    messages_queue(messages=[*both_channels(quiet_parent), *both_channels(other)])

    assert channels_queued(quiet_parent) == []
    assert channels_queued(other) == ["email", "sms"]


def _statements_to_queue_engagement(count: int) -> list[str]:
    parents = [parent_with_both() for _ in range(count)]
    for parent in parents[::2]:
        notification_preferences_set(user=parent, engagement_email=True, engagement_sms=False)
    with CaptureQueriesContext(connection) as queries:
        messages_queue(messages=[m for parent in parents for m in both_channels(parent)])
    return [query["sql"] for query in queries.captured_queries]


def test_preferences_of_a_whole_batch_are_read_in_one_query(clock):
    clock(london(2026, 5, 12, 10, 0))
    one = _statements_to_queue_engagement(1)
    thirty = _statements_to_queue_engagement(30)

    # the recipients' preferences; which keys exist already; one INSERT
    assert len(one) == len(thirty) == 3
    assert sum("notificationpreference" in sql.lower() for sql in thirty) == 1


def test_a_channel_turned_off_after_queueing_is_cancelled_at_sending(clock, monkeypatch):
    clock(london(2026, 5, 12, 10, 0))
    monkeypatch.setattr(message_deliver_task, "delay", lambda message_id: None)
    parent = parent_with_both()
    messages_queue(messages=both_channels(parent))
    notification_preferences_set(user=parent, engagement_email=True, engagement_sms=False)

    for message in Message.objects.all():
        message_deliver(message_id=message.pk)

    assert dict(Message.objects.values_list("channel", "status")) == {
        "email": Message.Status.SENT,
        "sms": Message.Status.CANCELLED,
    }
    assert len(mail.outbox) == 1 and sms.outbox == []


# --- Restricted and closed accounts ---------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        {"processing_restricted": True},
        {"closed_at": london(2026, 5, 1, 9, 0), "is_active": False},
    ],
    ids=["restricted", "closed"],
)
def test_a_restricted_or_closed_account_gets_no_engagement_message(clock, account):
    clock(london(2026, 5, 12, 10, 0))
    parent = parent_with_both(**account)

    written = messages_queue(messages=both_channels(parent))

    assert written == []
    assert not Message.objects.exists()
    assert mail.outbox == [] and sms.outbox == []


def test_an_account_restricted_while_a_message_is_held_gets_nothing_in_the_morning(clock):
    clock(london(2026, 5, 12, 21, 0))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    parent.processing_restricted = True
    parent.save(update_fields=["processing_restricted"])

    clock(london(2026, 5, 13, 8, 0))
    message_deliver(message_id=Message.objects.get().pk)

    assert Message.objects.get().status == Message.Status.CANCELLED
    assert sms.outbox == []


# --- Quiet hours ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "ends"),
    [
        (london(2026, 5, 12, 19, 59), None),
        (london(2026, 5, 12, 20, 0), london(2026, 5, 13, 8, 0)),
        (london(2026, 5, 12, 23, 59), london(2026, 5, 13, 8, 0)),
        (london(2026, 5, 13, 0, 0), london(2026, 5, 13, 8, 0)),
        (london(2026, 5, 13, 7, 59), london(2026, 5, 13, 8, 0)),
        (london(2026, 5, 13, 8, 0), None),
        (london(2026, 5, 13, 12, 0), None),
        # British Summer Time: 19:30 UTC is already 20:30 in London.
        (utc(2026, 7, 1, 19, 30), london(2026, 7, 2, 8, 0)),
        (utc(2026, 7, 1, 7, 30), None),
        # Clocks go forward at 01:00 UTC on 29 March 2026: 08:00 BST is 07:00 UTC.
        (london(2026, 3, 28, 21, 0), utc(2026, 3, 29, 7, 0)),
        (utc(2026, 3, 29, 7, 30), None),  # 08:30 BST; by winter time still quiet
        # Clocks go back at 01:00 UTC on 25 October 2026; 01:30 happens twice.
        (london(2026, 10, 24, 21, 0), utc(2026, 10, 25, 8, 0)),
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 8, 0)),
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 8, 0)),
        (utc(2026, 10, 25, 7, 30), london(2026, 10, 25, 8, 0)),
    ],
)
def test_quiet_hours_run_from_8pm_to_8am_london_time(at, ends):
    assert quiet_hours_end(at) == ends


def test_quiet_hours_follow_the_setting(settings):
    from datetime import time

    settings.QUIET_HOURS = (time(21, 30), time(7, 0))
    assert quiet_hours_end(london(2026, 5, 12, 21, 0)) is None
    assert quiet_hours_end(london(2026, 5, 12, 21, 30)) == london(2026, 5, 13, 7, 0)
    settings.QUIET_HOURS = None
    assert quiet_hours_end(london(2026, 5, 12, 23, 0)) is None


def test_an_engagement_sms_queued_in_the_evening_is_held_until_8am(
    clock, django_capture_on_commit_callbacks
):
    clock(london(2026, 5, 12, 21, 15))
    parent = parent_with_both()
    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(messages=both_channels(parent))

    held = Message.objects.get(channel=Message.Channel.SMS)
    email = Message.objects.get(channel=Message.Channel.EMAIL)
    assert held.not_before == london(2026, 5, 13, 8, 0)
    assert held.status == Message.Status.PENDING and held.attempts == 0
    assert sms.outbox == []  # its task ran at once (eager) but did not send it
    assert email.not_before is None and email.status == Message.Status.SENT


def test_a_held_sms_task_is_scheduled_for_the_end_of_the_quiet_hours(
    clock, monkeypatch, django_capture_on_commit_callbacks
):
    clock(london(2026, 5, 12, 21, 15))
    scheduled, immediate = [], []
    monkeypatch.setattr(
        message_deliver_task,
        "apply_async",
        lambda args, eta=None, **kwargs: scheduled.append((args[0], eta)),
    )
    monkeypatch.setattr(messages_deliver_task, "delay", immediate.extend)
    parent = parent_with_both()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages_queue(messages=both_channels(parent))
        assert scheduled == [] and immediate == []  # nothing before commit
    for callback in callbacks:
        callback()

    held = Message.objects.get(channel=Message.Channel.SMS)
    assert scheduled == [(held.pk, london(2026, 5, 13, 8, 0))]
    assert immediate == [Message.objects.get(channel=Message.Channel.EMAIL).pk]


def test_a_single_queued_engagement_sms_is_held_too(clock):
    clock(london(2026, 5, 12, 6, 30))
    message = message_queue(
        recipient=parent_with_both(),
        channel=Message.Channel.SMS,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="s",
        kind=ENGAGEMENT,
    )
    assert message.not_before == london(2026, 5, 12, 8, 0)


def test_a_held_sms_is_not_sent_before_8am_and_is_sent_after(clock):
    clock(london(2026, 5, 12, 21, 15))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    message = Message.objects.get()

    clock(london(2026, 5, 13, 7, 59, 59))
    message_deliver(message_id=message.pk)
    assert sms.outbox == []

    clock(london(2026, 5, 13, 8, 0, 1))
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at == london(2026, 5, 13, 8, 0, 1)
    assert [s.to for s in sms.outbox] == [parent.mobile]


def test_the_stale_sweep_leaves_a_held_sms_alone_until_it_is_due(clock, settings):
    settings.MESSAGE_STALE_AFTER = timedelta(minutes=10)
    clock(london(2026, 5, 12, 21, 15))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])

    for moment in (london(2026, 5, 12, 23, 0), london(2026, 5, 13, 8, 5)):
        clock(moment)
        assert messages_requeue_stale() == 0
    assert sms.outbox == []

    clock(london(2026, 5, 13, 8, 11))
    assert messages_requeue_stale() == 1  # its 08:00 task was lost: sent now (eager)
    assert Message.objects.get().status == Message.Status.SENT
    assert len(sms.outbox) == 1


def test_a_held_sms_is_held_across_the_spring_clock_change_until_8am_bst(clock):
    clock(london(2026, 3, 28, 22, 0))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    message = Message.objects.get()

    clock(utc(2026, 3, 29, 6, 59))  # 07:59 BST
    message_deliver(message_id=message.pk)
    assert sms.outbox == []
    clock(utc(2026, 3, 29, 7, 0))  # 08:00 BST
    message_deliver(message_id=message.pk)
    assert len(sms.outbox) == 1


def test_a_held_sms_is_held_across_the_autumn_clock_change_until_8am_gmt(clock):
    clock(utc(2026, 10, 25, 0, 45))  # 01:45 BST, before the clocks go back
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    message = Message.objects.get()
    assert message.not_before == utc(2026, 10, 25, 8, 0)

    clock(utc(2026, 10, 25, 7, 59))  # 07:59 GMT: 08:59 by summer time, still quiet
    message_deliver(message_id=message.pk)
    assert sms.outbox == []
    clock(utc(2026, 10, 25, 8, 0))
    message_deliver(message_id=message.pk)
    assert len(sms.outbox) == 1


def test_an_engagement_sms_whose_delivery_runs_into_quiet_hours_waits_for_morning(
    clock, monkeypatch, django_capture_on_commit_callbacks
):
    clock(london(2026, 5, 12, 19, 55))
    monkeypatch.setattr(message_deliver_task, "delay", lambda message_id: None)
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    message = Message.objects.get()
    assert message.not_before is None
    scheduled = []
    monkeypatch.setattr(
        message_deliver_task,
        "apply_async",
        lambda args, eta=None, **kwargs: scheduled.append((args[0], eta)),
    )

    clock(london(2026, 5, 12, 20, 5))  # the worker was late, or this is a retry
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.not_before == london(2026, 5, 13, 8, 0)
    assert scheduled == [(message.pk, london(2026, 5, 13, 8, 0))]
    assert sms.outbox == []


def test_a_held_sms_turned_off_overnight_is_cancelled_not_sent(clock):
    clock(london(2026, 5, 12, 21, 15))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.SMS)])
    notification_preferences_set(user=parent, engagement_email=True, engagement_sms=False)

    clock(london(2026, 5, 13, 8, 0))
    message_deliver(message_id=Message.objects.get().pk)

    assert Message.objects.get().status == Message.Status.CANCELLED
    assert sms.outbox == []


def test_saving_a_choice_again_updates_the_one_row():
    parent = parent_with_both()
    notification_preferences_set(user=parent, engagement_email=False, engagement_sms=True)
    notification_preferences_set(user=parent, engagement_email=True, engagement_sms=False)
    preference = NotificationPreference.objects.get()
    assert (preference.user, preference.engagement_email, preference.engagement_sms) == (
        parent,
        True,
        False,
    )


def test_no_message_is_sent_before_its_not_before_even_outside_quiet_hours(clock):
    clock(london(2026, 5, 12, 10, 0))
    parent = parent_with_both()
    messages_queue(messages=[outgoing(parent, Message.Channel.EMAIL)])
    Message.objects.update(not_before=london(2026, 5, 12, 11, 0))

    message_deliver(message_id=Message.objects.get().pk)
    assert Message.objects.get().status == Message.Status.PENDING and mail.outbox == []

    clock(london(2026, 5, 12, 11, 0))
    message_deliver(message_id=Message.objects.get().pk)
    assert Message.objects.get().status == Message.Status.SENT and len(mail.outbox) == 1


def test_the_broker_keeps_a_held_task_for_longer_than_the_longest_hold():
    start, end = settings.QUIET_HOURS
    day = datetime(2026, 1, 1)
    longest_hold = datetime.combine(day + timedelta(days=1), end) - datetime.combine(day, start)

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert visibility > longest_hold.total_seconds()
