"""Inactivity: a parent unused for 11 months is told once that the account closes
in 30 days unless they sign in; signing in cancels it; still unused at 12 months
(and 30 days after the notice), the account is closed. The clock is passed to
the task (``now=``) at each boundary."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import formats, timezone

from accounts.models import Membership, User
from accounts.services import processing_restriction_set
from audit.models import AuditEntry
from engagement.services import last_active_update
from notifications.models import Message
from privacy.models import RetentionRun
from privacy.services import retention_run
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory, admin_of
from tests.privacy.retention_world import START, day, fresh, notices, parent_last_active

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _closed(user) -> bool:
    return fresh(user).closed_at is not None


# --- The notice -------------------------------------------------------------------


def test_the_notice_goes_at_11_months_and_not_a_day_before():
    parent = parent_last_active(START)

    retention_run(now=day(334, hours=23))
    assert not notices().exists()
    assert fresh(parent).closure_notice_at is None

    retention_run(now=day(335))

    assert fresh(parent).closure_notice_at == day(335)
    sent = notices(parent)
    assert {message.channel for message in sent} == {"email", "sms"}
    assert {message.kind for message in sent} == {Message.Kind.SERVICE}
    assert {message.to_address for message in sent} == {parent.email, parent.mobile}


def test_the_notice_gives_the_closing_date_and_the_sign_in_link():
    parent = parent_last_active(START, first_name="Priya")

    retention_run(now=day(335))

    email = notices(parent).get(channel="email")
    closes_on = formats.date_format(timezone.localtime(day(365)), "l j F Y")
    link = f"{settings.SITE_URL.rstrip('/')}/accounts/login/"
    assert closes_on in email.subject
    assert "Priya" in email.body_text
    assert closes_on in email.body_text and link in email.body_text
    assert f'href="{link}"' in email.body_html
    sms = notices(parent).get(channel="sms")
    assert closes_on in sms.body_text and link in sms.body_text


def test_a_parent_without_a_mobile_gets_the_email_only_and_one_without_email_the_text():
    by_email = parent_last_active(START, mobile="")
    by_text = parent_last_active(START, email=None, mobile="+447700900456")

    retention_run(now=day(335))

    assert [message.channel for message in notices(by_email)] == ["email"]
    assert [message.channel for message in notices(by_text)] == ["sms"]


def test_the_notice_is_sent_once_whatever_the_reruns():
    parent = parent_last_active(START)

    for moment in (day(335), day(335, hours=1), day(336), day(350)):
        retention_run(now=moment)

    assert notices(parent).count() == 2  # one email, one text
    assert fresh(parent).closure_notice_at == day(335)
    assert AuditEntry.objects.filter(action="users.closure_notice").count() == 1


def test_a_crash_between_queueing_and_recording_sends_one_notice(monkeypatch):
    from accounts.services import lifecycle as closure_notices

    parent = parent_last_active(START)
    real_queue = closure_notices.messages_queue

    def queue_then_crash(**kwargs):
        real_queue(**kwargs)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(closure_notices, "messages_queue", queue_then_crash)
    crashed = retention_run(now=day(335))
    monkeypatch.setattr(closure_notices, "messages_queue", real_queue)

    assert crashed.counts["notices"] == {"done": 0, "failed": 1}
    assert not notices().exists()  # the messages went with the rolled-back record
    assert fresh(parent).closure_notice_at is None

    retention_run(now=day(335, hours=2))

    assert notices(parent).count() == 2
    assert fresh(parent).closure_notice_at == day(335, hours=2)


def test_one_account_that_cannot_be_noticed_does_not_hold_back_the_others(monkeypatch):
    from accounts.services import lifecycle

    parents = [parent_last_active(START) for _ in range(3)]
    real_queue = lifecycle.messages_queue

    def queue_failing_for_the_second(*, messages):
        messages = list(messages)
        if any(message.recipient.pk == parents[1].pk for message in messages):
            raise ValueError("No email address for this message.")
        return real_queue(messages=messages)

    monkeypatch.setattr(lifecycle, "messages_queue", queue_failing_for_the_second)
    run = retention_run(now=day(335))

    assert run.counts["notices"] == {"done": 2, "failed": 1}
    assert run.error == "notices: 1 failed"
    noticed = [fresh(parent).closure_notice_at is not None for parent in parents]
    assert noticed == [True, False, True]


def test_a_notice_whose_record_was_lost_is_not_sent_again():
    parent = parent_last_active(START)
    retention_run(now=day(335))
    # As if the account's record of the notice had not been kept.
    User.objects.filter(pk=parent.pk).update(closure_notice_at=None)

    retention_run(now=day(336))

    assert notices(parent).count() == 2


def test_only_parents_who_use_their_account_get_notices():
    pupil = PupilFactory()
    long_ago = START - timedelta(days=400)
    counted = parent_last_active(long_ago, child=pupil)
    teacher_and_parent = parent_last_active(long_ago, child=pupil)
    Membership.objects.create(
        user=teacher_and_parent, school=pupil.school, role=Membership.Role.TEACHER
    )
    school_admin = admin_of(pupil.school, last_login=long_ago, last_active_at=long_ago)
    platform_staff = UserFactory(is_staff=True, last_login=long_ago, last_active_at=long_ago)
    superuser = UserFactory(is_superuser=True, last_login=long_ago, last_active_at=long_ago)
    restricted = parent_last_active(long_ago, child=pupil, processing_restricted=True)
    # Imported from the roster, never joined: inactive, never signed in.
    imported = UserFactory(is_active=False, date_joined=long_ago, last_login=None)
    imported.set_unusable_password()
    imported.save()
    GuardianshipFactory(parent=imported, pupil=pupil, confirmed_at=None)

    retention_run(now=day(335))

    assert set(notices().values_list("recipient", flat=True)) == {counted.pk}
    for user in (teacher_and_parent, school_admin, platform_staff, superuser, restricted):
        assert fresh(user).closure_notice_at is None
    retention_run(now=day(700))
    assert [user.pk for user in User.objects.filter(closed_at__isnull=False)] == [counted.pk]


def test_a_restricted_parent_is_neither_noticed_nor_closed():
    parent = parent_last_active(START)
    processing_restriction_set(user=parent, restricted=True, actor=parent)

    retention_run(now=day(335))
    retention_run(now=day(400))

    assert not notices().exists()
    assert not _closed(parent)


# --- Closing at 12 months ---------------------------------------------------------


def test_the_account_closes_at_12_months_thirty_days_after_the_notice():
    parent = parent_last_active(START)
    retention_run(now=day(335))

    retention_run(now=day(364, hours=23))
    assert not _closed(parent)

    run = retention_run(now=day(365))

    parent = fresh(parent)
    assert parent.closed_at == day(365)
    assert parent.delete_after == day(365) + timedelta(days=90)
    assert not parent.is_active
    assert run.counts["closures"] == {"done": 1, "failed": 0}
    entry = AuditEntry.objects.get(action="user.close", subject_id=str(parent.pk))
    assert entry.actor is None
    assert entry.changes["reason"] == "inactive"


def test_a_late_notice_still_gives_thirty_days():
    """A parent first found inactive long after 11 months (the task was down, or
    just deployed) is closed 30 days after the notice, not at once."""
    parent = parent_last_active(START - timedelta(days=400))
    retention_run(now=day(10))
    notice = notices(parent).get(channel="email")
    assert formats.date_format(timezone.localtime(day(40)), "l j F Y") in notice.body_text

    retention_run(now=day(39, hours=23))
    assert not _closed(parent)

    retention_run(now=day(40))
    assert fresh(parent).closed_at == day(40)


def test_rerunning_the_same_day_closes_once():
    parent = parent_last_active(START)
    retention_run(now=day(335))

    first = retention_run(now=day(365))
    again = retention_run(now=day(365, hours=3))

    assert first.counts["closures"]["done"] == 1
    assert again.counts["closures"]["done"] == 0
    assert AuditEntry.objects.filter(action="user.close", subject_id=str(parent.pk)).count() == 1


# --- Being active again -------------------------------------------------------------


def test_signing_in_after_the_notice_cancels_it_and_the_account_stays_open(client):
    parent = parent_last_active(START)
    retention_run(now=day(335))
    assert set(notices(parent).values_list("status", flat=True)) == {"pending"}

    response = client.post("/accounts/login/", {"login": parent.email, "password": PASSWORD})
    assert response.status_code == 302

    assert fresh(parent).closure_notice_at is None
    assert set(notices(parent).values_list("status", flat=True)) == {"cancelled"}
    retention_run(now=day(365))
    retention_run(now=day(400))
    assert not _closed(parent)
    assert notices(parent).count() == 2  # no new notice until 11 months after the sign-in


def test_signing_in_within_minutes_of_a_page_still_cancels_the_notice(client):
    parent = parent_last_active(START)
    retention_run(now=day(335))
    # A page a moment ago: last_active_update writes nothing within its window.
    User.objects.filter(pk=parent.pk).update(last_active_at=timezone.now())

    client.post("/accounts/login/", {"login": parent.email, "password": PASSWORD})

    assert fresh(parent).closure_notice_at is None
    assert set(notices(parent).values_list("status", flat=True)) == {"cancelled"}


def test_using_a_page_after_the_notice_cancels_it():
    parent = parent_last_active(START)
    retention_run(now=day(335))

    assert last_active_update(user=User.objects.get(pk=parent.pk))

    assert fresh(parent).closure_notice_at is None
    assert set(notices(parent).values_list("status", flat=True)) == {"cancelled"}


def test_a_parent_who_comes_back_and_goes_quiet_again_gets_a_new_notice():
    parent = parent_last_active(START)
    retention_run(now=day(335))
    # Back on day 340 (a page, as last_active_update notes it), then nothing.
    User.objects.filter(pk=parent.pk).update(last_active_at=day(340), closure_notice_at=None)

    retention_run(now=day(340 + 334))
    assert notices(parent).count() == 2
    retention_run(now=day(340 + 335))

    assert notices(parent).count() == 4
    assert fresh(parent).closure_notice_at == day(340 + 335)
    retention_run(now=day(340 + 365))
    assert fresh(parent).closed_at == day(340 + 365)


def test_each_run_is_recorded_with_its_counts():
    parent_last_active(START)
    parent_last_active(START)

    run = retention_run(now=day(335))

    run = RetentionRun.objects.get(pk=run.pk)
    assert run.finished_at is not None and run.error == ""
    assert run.counts == {
        "notices": {"done": 2, "failed": 0},
        "closures": {"done": 0, "failed": 0},
        "deletions": {"done": 0, "failed": 0},
        "pupils": {"done": 0, "failed": 0},
        "contacts": {"done": 0, "failed": 0},
    }
