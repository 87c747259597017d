"""Families are told when work starts, and reminded once two days before it is due
if their child has not done every activity: one message per parent and channel,
sent once however often the hourly runs go, in batches of fixed cost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import Assignment, Completion
from learning.services import (
    assignments_notify_started,
    assignments_remind_due,
    school_today,
)
from notifications.models import Message
from schools.models import Guardianship
from tests.concurrency import at_once, needs_postgresql
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def robins():
    return SchoolClassFactory(school=SchoolFactory(name="Alder Primary"), name="Robins")


def _pupil(school_class, **fields):
    return PupilFactory(school=school_class.school, school_class=school_class, **fields)


def _parent(pupil, **user_fields):
    user_fields.setdefault("mobile", "")
    parent = UserFactory(**user_fields)
    GuardianshipFactory(parent=parent, pupil=pupil)
    return parent


def _messages(**filters):
    return Message.objects.filter(**filters).order_by("recipient_id", "channel")


def _started(school_class, **fields):
    fields.setdefault("starts_on", school_today())
    return AssignmentFactory(school_class=school_class, **fields)


def _link(pupil, assignment):
    return f"{SITE}/children/{pupil.pk}/assignments/{assignment.pk}/"


# --- When work starts ------------------------------------------------------------


def test_a_parent_is_told_by_email_and_sms_when_work_starts(robins):
    amy = _pupil(robins, first_name="Amy")
    parent = _parent(amy, first_name="Sam", mobile="+447700900123")
    assignment = _started(
        robins, topic=TopicFactory(title="Shapes at home"), message="Look for circles!"
    )

    assert assignments_notify_started() == 1

    email, sms = _messages(recipient=parent)
    assert (email.channel, sms.channel) == ("email", "sms")
    assert {email.kind, sms.kind} == {Message.Kind.ENGAGEMENT}
    assert {email.reference, sms.reference} == {f"assignment:{assignment.pk}"}
    assert {email.template, sms.template} == {"assignment_started"}
    assert email.to_address == parent.email and sms.to_address == "+447700900123"
    assert email.subject == "Alder Primary: new home learning for Amy: Shapes at home"
    assert "Hello Sam" in email.body_text
    assert "Look for circles!" in email.body_text
    assert _link(amy, assignment) in email.body_text
    assert f'href="{_link(amy, assignment)}"' in email.body_html
    assert _link(amy, assignment) in sms.body_text
    assignment.refresh_from_db()
    assert assignment.start_notified_at is not None


def test_a_parent_without_a_mobile_gets_email_only_and_one_without_email_sms_only(robins):
    by_email = _parent(_pupil(robins))
    by_sms = _parent(_pupil(robins), email=None, mobile="+447700900456")
    _started(robins)

    assignments_notify_started()

    assert list(_messages(recipient=by_email).values_list("channel", flat=True)) == ["email"]
    assert list(_messages(recipient=by_sms).values_list("channel", flat=True)) == ["sms"]


def test_a_parent_of_two_children_in_the_class_gets_one_message_naming_both(robins):
    amy, ben = _pupil(robins, first_name="Amy"), _pupil(robins, first_name="Ben")
    parent = _parent(amy)
    GuardianshipFactory(parent=parent, pupil=ben)
    assignment = _started(robins)

    assignments_notify_started()

    [email] = _messages(recipient=parent)
    assert "new home learning for Amy and Ben" in email.subject
    assert _link(amy, assignment) in email.body_text
    assert _link(ben, assignment) in email.body_text


def test_only_parents_who_joined_of_children_on_roll_in_the_class_are_told(robins):
    told = _parent(_pupil(robins))
    not_yet_joined = UserFactory()
    GuardianshipFactory(parent=not_yet_joined, pupil=_pupil(robins), confirmed_at=None)
    ended = UserFactory()
    GuardianshipFactory(parent=ended, pupil=_pupil(robins), ended_at=timezone.now())
    left_school = _parent(_pupil(robins, removed_by_school_at=timezone.now()))
    other_class = _parent(_pupil(SchoolClassFactory(school=robins.school)))
    closed = _parent(_pupil(robins))
    closed.closed_at, closed.is_active = timezone.now(), False
    closed.save()
    restricted = _parent(_pupil(robins))
    restricted.processing_restricted = True
    restricted.save()
    _started(robins)

    assignments_notify_started()

    assert set(Message.objects.values_list("recipient", flat=True)) == {told.pk}
    for nobody in (not_yet_joined, ended, left_school, other_class, closed, restricted):
        assert not Message.objects.filter(recipient=nobody).exists()


def test_running_twice_tells_families_once(robins):
    _parent(_pupil(robins), mobile="+447700900123")
    assignment = _started(robins)

    assert assignments_notify_started() == 1
    assert assignments_notify_started() == 0
    # Even if the mark were lost, the outbox keys stop a second message.
    Assignment.objects.filter(pk=assignment.pk).update(start_notified_at=None)
    assignments_notify_started()

    assert Message.objects.count() == 2


def test_work_starting_tomorrow_waits_for_its_day(robins):
    _parent(_pupil(robins))
    assignment = _started(robins, starts_on=school_today() + timedelta(days=1))

    assert assignments_notify_started() == 0
    assert not Message.objects.exists()

    Assignment.objects.filter(pk=assignment.pk).update(starts_on=school_today())
    assert assignments_notify_started() == 1
    assert Message.objects.count() == 1


def test_work_found_only_after_its_due_date_is_not_announced(robins):
    _parent(_pupil(robins))
    late = _started(
        robins,
        starts_on=school_today() - timedelta(days=5),
        due_on=school_today() - timedelta(days=1),
    )

    assert assignments_notify_started() == 0

    assert not Message.objects.exists()
    late.refresh_from_db()
    assert late.start_notified_at is not None  # not looked at again


def test_each_of_two_classes_is_told_about_its_own_assignment(robins):
    wrens = SchoolClassFactory(school=robins.school, name="Wrens")
    robin_parent, wren_parent = _parent(_pupil(robins)), _parent(_pupil(wrens))
    topic = TopicFactory()
    for_robins, for_wrens = _started(robins, topic=topic), _started(wrens, topic=topic)

    assert assignments_notify_started(batch_size=1) == 2

    assert _messages(recipient=robin_parent).get().reference == f"assignment:{for_robins.pk}"
    assert _messages(recipient=wren_parent).get().reference == f"assignment:{for_wrens.pk}"


# One batch, in its own transaction (a savepoint inside a test's): the due
# assignments (locked), their families, the outbox keys already used, the
# families' channel preferences (engagement messages follow them), the new
# messages (one INSERT while they fit SQLite's parameter limit), the mark.
PER_BATCH = 8
# The last look finds nothing due.
LAST_LOOK = 3


@pytest.mark.parametrize("families", [1, 30])
def test_the_start_run_costs_the_same_queries_for_1_or_30_families(
    robins, django_assert_num_queries, families
):
    for _ in range(families):
        _parent(_pupil(robins))
    for _ in range(3):
        _started(robins)

    with django_assert_num_queries(3 * PER_BATCH + LAST_LOOK):
        assert assignments_notify_started(batch_size=1) == 3

    assert Message.objects.count() == 3 * families


# --- The reminder ----------------------------------------------------------------


def _due_in_two_days(school_class, topic, **fields):
    today = school_today()
    return AssignmentFactory(
        school_class=school_class,
        topic=topic,
        starts_on=today - timedelta(days=5),
        due_on=today + timedelta(days=2),
        **{"start_notified_at": timezone.now() - timedelta(days=5), **fields},
    )


def _done(pupil, *activities):
    for activity in activities:
        Completion.objects.create(pupil=pupil, activity=activity)


@pytest.fixture
def topic():
    topic = TopicFactory(title="Minibeasts")
    ActivityFactory(topic=topic)
    ActivityFactory(topic=topic)
    return topic


def test_parents_whose_child_has_not_finished_are_reminded_two_days_before(robins, topic):
    first, second = topic.activities.order_by("position")
    nothing_done = _parent(_pupil(robins, first_name="Amy"), mobile="+447700900123")
    half_done_child = _pupil(robins, first_name="Ben")
    half_done = _parent(half_done_child)
    _done(half_done_child, first)
    finished_child = _pupil(robins, first_name="Cat")
    finished = _parent(finished_child)
    _done(finished_child, first, second)
    assignment = _due_in_two_days(robins, topic)

    assert assignments_remind_due() == 1

    assert set(Message.objects.values_list("recipient", flat=True)) == {
        nothing_done.pk,
        half_done.pk,
    }
    assert not Message.objects.filter(recipient=finished).exists()
    assert _messages(recipient=nothing_done).count() == 2  # email and SMS
    [email] = _messages(recipient=half_done)
    assert email.template == "assignment_reminder"
    assert email.kind == Message.Kind.ENGAGEMENT
    assert email.subject.startswith("Reminder: Minibeasts is due on ")
    assert "Ben has not done all of its activities" in email.body_text
    assert _link(half_done_child, assignment) in email.body_text
    assignment.refresh_from_db()
    assert assignment.reminder_sent_at is not None


def test_a_parent_of_two_children_is_reminded_only_about_the_one_not_finished(robins, topic):
    amy, ben = _pupil(robins, first_name="Amy"), _pupil(robins, first_name="Ben")
    parent = _parent(amy)
    GuardianshipFactory(parent=parent, pupil=ben)
    _done(amy, *topic.activities.all())
    assignment = _due_in_two_days(robins, topic)

    assignments_remind_due()

    [email] = _messages(recipient=parent)
    assert _link(ben, assignment) in email.body_text
    assert _link(amy, assignment) not in email.body_text
    assert "Ben has not done" in email.body_text


def test_the_reminder_is_sent_once(robins, topic):
    _parent(_pupil(robins))
    assignment = _due_in_two_days(robins, topic)

    assert assignments_remind_due() == 1
    assert assignments_remind_due() == 0
    Assignment.objects.filter(pk=assignment.pk).update(reminder_sent_at=None)
    assignments_remind_due()

    assert Message.objects.count() == 1


def test_no_reminder_three_days_before_the_due_date_nor_after_it(robins, topic):
    _parent(_pupil(robins))
    today = school_today()
    three_days_ahead = _due_in_two_days(robins, topic)
    past_due = _due_in_two_days(robins, TopicFactory())
    ActivityFactory(topic=past_due.topic)
    Assignment.objects.filter(pk=three_days_ahead.pk).update(due_on=today + timedelta(days=3))
    Assignment.objects.filter(pk=past_due.pk).update(due_on=today - timedelta(days=1))

    assert assignments_remind_due() == 0
    assert not Message.objects.exists()

    Assignment.objects.filter(pk=three_days_ahead.pk).update(due_on=today + timedelta(days=2))
    assert assignments_remind_due() == 1


def test_a_reminder_missed_on_its_day_still_goes_before_the_due_date(robins, topic):
    _parent(_pupil(robins))
    assignment = _due_in_two_days(robins, topic)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=school_today() + timedelta(days=1))

    assert assignments_remind_due() == 1


def test_no_reminder_before_families_were_told_the_work_started(robins, topic):
    _parent(_pupil(robins))
    _due_in_two_days(robins, topic, start_notified_at=None)

    assert assignments_remind_due() == 0
    assert not Message.objects.exists()


def test_work_set_for_two_days_or_less_gets_no_reminder(robins, topic):
    _parent(_pupil(robins))
    today = school_today()
    AssignmentFactory(
        school_class=robins,
        topic=topic,
        starts_on=today,
        due_on=today + timedelta(days=2),
        start_notified_at=timezone.now(),
    )

    assert assignments_remind_due() == 0
    assert not Message.objects.exists()


def test_two_topics_due_together_are_reminded_by_what_each_child_did(robins, topic):
    other = TopicFactory(title="Fractions")
    ActivityFactory(topic=other)
    child = _pupil(robins)
    parent = _parent(child)
    _done(child, *topic.activities.all())  # Minibeasts finished, Fractions not started
    minibeasts = _due_in_two_days(robins, topic)
    fractions = _due_in_two_days(robins, other)

    assert assignments_remind_due() == 2

    [email] = _messages(recipient=parent)
    assert email.reference == f"assignment:{fractions.pk}"
    minibeasts.refresh_from_db()
    assert minibeasts.reminder_sent_at is not None


@pytest.mark.parametrize("families", [1, 30])
def test_the_reminder_run_costs_the_same_queries_for_1_or_30_families(
    robins, django_assert_num_queries, families
):
    for n in range(families):
        child = _pupil(robins)
        _parent(child)
        if n % 3 == 1:
            Completion.objects.create(pupil=child, activity=ActivityFactory(topic=TopicFactory()))
    for _ in range(3):
        ActivityFactory(topic=_due_in_two_days(robins, TopicFactory()).topic)

    with django_assert_num_queries(3 * PER_BATCH + LAST_LOOK):
        assert assignments_remind_due(batch_size=1) == 3

    assert Message.objects.count() == 3 * families


# --- What the messages say -------------------------------------------------------


def test_long_names_still_fit_an_sms_in_two_segments_and_an_email_subject(robins):
    robins.school.name = "St Bartholomew\u2019s Church of England Voluntary Aided Primary School"
    robins.school.save()
    children = [
        _pupil(robins, first_name=name) for name in ("Żaneta-Marie", "Bartholomew", "Anastasia")
    ]
    parent = _parent(children[0], mobile="+447700900123")
    for child in children[1:]:
        GuardianshipFactory(parent=parent, pupil=child)
    _started(robins, topic=TopicFactory(title="Investigating forces: push, pull and friction " * 3))

    assignments_notify_started()

    from notifications.sms import SMS_MAX_SEGMENTS, sms_length, sms_limit

    email = Message.objects.get(channel="email")
    assert len(email.subject) <= Message._meta.get_field("subject").max_length
    sms = Message.objects.get(channel="sms")
    encoding, length = sms_length(sms.body_text)
    assert length <= sms_limit(encoding)
    assert SMS_MAX_SEGMENTS == 2
    assert "Anastasia, Bartholomew and Zaneta-Marie" in sms.body_text  # plain letters
    anastasia = children[2]  # first by name: the SMS links to her space
    assert f"/children/{anastasia.pk}/assignments/" in sms.body_text


def test_the_teachers_message_is_escaped_in_the_html_email(robins):
    _parent(_pupil(robins))
    _started(robins, message="<b>Bring</b> a jar & a spoon")

    assignments_notify_started()

    email = Message.objects.get()
    assert "&lt;b&gt;Bring&lt;/b&gt; a jar &amp; a spoon" in email.body_html
    assert "<b>Bring</b> a jar & a spoon" in email.body_text


# --- The hourly runs -------------------------------------------------------------


def test_both_runs_are_scheduled_hourly(settings):
    from celery import current_app

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    for task in (
        "learning.tasks.assignments_notify_started_task",
        "learning.tasks.assignments_remind_due_task",
    ):
        assert task in current_app.tasks or __import__("learning.tasks")
        assert schedule[task].hour == set(range(24))
        assert len(schedule[task].minute) == 1


def test_the_tasks_run_the_services(robins, topic):
    from learning.tasks import (
        assignment_notify_started_task,
        assignments_notify_started_task,
        assignments_remind_due_task,
    )

    _parent(_pupil(robins))
    first = _started(robins)
    assert assignment_notify_started_task.delay(first.pk).get() == 1
    assert assignments_notify_started_task.delay().get() == 0
    _due_in_two_days(robins, topic)
    assert assignments_remind_due_task.delay().get() == 1
    assert Guardianship.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_each_family_once(robins):
    needs_postgresql()
    for _ in range(5):
        _parent(_pupil(robins), mobile="+447700900123")
    for _ in range(4):
        _started(robins)

    def run():
        assignments_notify_started(batch_size=1)

    assert at_once(run, run).errors == []
    assert Message.objects.count() == 4 * 5 * 2
    assert not Assignment.objects.filter(start_notified_at__isnull=True).exists()
