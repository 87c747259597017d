"""Awards: rules in code, granted once per pupil however often (or concurrently)
evaluated, and told to the parents through the outbox as engagement messages."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from learning.models import Award, Completion
from learning.services.awards import AWARD_RULES, awards_evaluate, pupil_progress
from learning.tasks import awards_evaluate_task
from notifications import sms
from notifications.models import Message
from notifications.services import notification_preferences_set
from notifications.sms import sms_length, sms_limit
from tests.concurrency import at_once, meeting_point, needs_postgresql
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOON = datetime(2026, 5, 12, 12, 0, tzinfo=LONDON)  # a Tuesday, outside quiet hours


@pytest.fixture(autouse=True)
def _daytime(monkeypatch):
    """Evaluate at midday, so award texts are not held by the quiet hours."""
    monkeypatch.setattr(timezone, "now", lambda: NOON)


@pytest.fixture
def guardianship():
    return GuardianshipFactory(parent__mobile="+447700900123")


@pytest.fixture
def parent(guardianship):
    return guardianship.parent


@pytest.fixture
def pupil(guardianship):
    return guardianship.pupil


def complete(pupil, activities, at=None):
    for activity in activities:
        Completion.objects.create(pupil=pupil, activity=activity, completed_at=at or NOON)


def unfinished_activity():
    """An activity in a topic with another one, so doing it completes no topic."""
    activity = ActivityFactory()
    ActivityFactory(topic=activity.topic)
    return activity


def kinds(awards) -> list[str]:
    return sorted(award.kind for award in awards)


def test_a_pupil_who_did_nothing_earns_nothing(pupil):
    assert awards_evaluate(pupil=pupil) == []
    assert not Award.objects.exists() and not Message.objects.exists()


def test_the_first_activity_earns_an_award_and_the_parent_is_told_once_per_channel(
    parent, pupil, django_capture_on_commit_callbacks
):
    complete(pupil, [ActivityFactory(topic=TopicFactory())])
    ActivityFactory(topic=Completion.objects.get().activity.topic)  # the topic is not done

    with django_capture_on_commit_callbacks(execute=True):
        granted = awards_evaluate(pupil=pupil)

    assert kinds(granted) == [Award.Kind.FIRST_ACTIVITY]
    award = Award.objects.get()
    assert award.pupil == pupil and award.notified_at == NOON
    assert granted[0].notified_at == NOON  # the returned award says so too
    messages = Message.objects.order_by("channel")
    assert [(m.channel, m.kind, m.reference, m.recipient) for m in messages] == [
        ("email", Message.Kind.ENGAGEMENT, f"award:{award.pk}", parent),
        ("sms", Message.Kind.ENGAGEMENT, f"award:{award.pk}", parent),
    ]
    assert mail.outbox[0].subject == f"{pupil.first_name} earned the “First activity” award"
    assert "for doing their first activity" in mail.outbox[0].body
    assert sms.outbox[0].to == parent.mobile
    school = pupil.school.name_for_parents
    assert sms.outbox[0].body.startswith(f'{school}: well done! {pupil.first_name} earned the "F')
    assert "Stop texts: http" in sms.outbox[0].body


def test_evaluating_again_grants_and_sends_nothing_more(pupil):
    complete(pupil, ActivityFactory.create_batch(2, topic=TopicFactory()))
    first = awards_evaluate(pupil=pupil)
    messages_after_first = Message.objects.count()

    assert awards_evaluate(pupil=pupil) == []
    assert awards_evaluate(pupil=pupil) == []

    assert kinds(first) == [Award.Kind.FIRST_ACTIVITY, Award.Kind.TOPIC_COMPLETED]
    assert Award.objects.count() == 2
    assert Message.objects.count() == messages_after_first == 4


def test_five_activities_across_topics_earn_the_five_award_and_four_do_not(pupil):
    activities = [ActivityFactory(topic=TopicFactory()) for _ in range(5)]
    for activity in activities:  # no topic is completed: each has a second activity
        ActivityFactory(topic=activity.topic)
    complete(pupil, activities[:4])
    assert kinds(awards_evaluate(pupil=pupil)) == [Award.Kind.FIRST_ACTIVITY]

    complete(pupil, activities[4:])
    assert kinds(awards_evaluate(pupil=pupil)) == [Award.Kind.FIVE_ACTIVITIES]


def test_a_topic_is_completed_only_when_the_pupil_did_every_one_of_its_activities(pupil):
    classmate = PupilFactory(school=pupil.school, school_class=pupil.school_class)
    topic = TopicFactory()
    first, second, third = ActivityFactory.create_batch(3, topic=topic)
    complete(pupil, [first, second])
    complete(classmate, [third])  # someone else's completion does not count

    assert pupil_progress(pupil=pupil).topics_completed == 0
    assert Award.Kind.TOPIC_COMPLETED not in kinds(awards_evaluate(pupil=pupil))

    complete(pupil, [third])
    assert pupil_progress(pupil=pupil).topics_completed == 1
    assert kinds(awards_evaluate(pupil=pupil)) == [Award.Kind.TOPIC_COMPLETED]


def _weekly(pupil, moments):
    topic = TopicFactory()
    activities = ActivityFactory.create_batch(len(moments) + 1, topic=topic)
    for activity, moment in zip(activities, moments, strict=False):
        Completion.objects.create(pupil=pupil, activity=activity, completed_at=moment)


def test_activities_in_three_consecutive_weeks_earn_the_three_weeks_award(pupil):
    _weekly(
        pupil,
        [
            datetime(2026, 4, 20, 9, 0, tzinfo=LONDON),  # Monday, week 17
            datetime(2026, 4, 22, 9, 0, tzinfo=LONDON),  # week 17 again
            datetime(2026, 5, 3, 18, 0, tzinfo=LONDON),  # Sunday, week 18
            datetime(2026, 5, 4, 9, 0, tzinfo=LONDON),  # Monday, week 19
        ],
    )
    assert pupil_progress(pupil=pupil).weeks_in_a_row == 3
    assert Award.Kind.THREE_WEEKS in kinds(awards_evaluate(pupil=pupil))


def test_three_weeks_with_a_gap_are_not_in_a_row(pupil):
    _weekly(
        pupil,
        [
            datetime(2026, 4, 6, 9, 0, tzinfo=LONDON),  # week 15
            datetime(2026, 4, 13, 9, 0, tzinfo=LONDON),  # week 16
            datetime(2026, 4, 27, 9, 0, tzinfo=LONDON),  # week 18
            datetime(2026, 5, 4, 9, 0, tzinfo=LONDON),  # week 19
        ],
    )
    assert pupil_progress(pupil=pupil).weeks_in_a_row == 2
    assert Award.Kind.THREE_WEEKS not in kinds(awards_evaluate(pupil=pupil))


def test_weeks_run_on_across_the_new_year_by_iso_week(pupil):
    _weekly(
        pupil,
        [
            datetime(2026, 12, 24, 9, 0, tzinfo=LONDON),  # 2026-W52
            datetime(2026, 12, 31, 9, 0, tzinfo=LONDON),  # 2026-W53
            datetime(2027, 1, 4, 9, 0, tzinfo=LONDON),  # 2027-W01
        ],
    )
    assert pupil_progress(pupil=pupil).weeks_in_a_row == 3


def test_weeks_are_london_weeks_not_utc_weeks(pupil):
    """Just after midnight on a summer Monday in London it is still Sunday in UTC."""
    monday_half_past_midnight = datetime(2026, 6, 15, 0, 30, tzinfo=LONDON)
    assert monday_half_past_midnight.astimezone(UTC).weekday() == 6  # Sunday in UTC
    _weekly(
        pupil,
        [
            datetime(2026, 6, 1, 12, 0, tzinfo=LONDON),  # week 23
            datetime(2026, 6, 8, 12, 0, tzinfo=LONDON),  # week 24
            monday_half_past_midnight,  # week 25 in London, 24 in UTC
        ],
    )
    assert pupil_progress(pupil=pupil).weeks_in_a_row == 3


def test_every_parent_with_a_confirmed_guardianship_is_told_and_nobody_else(parent, pupil):
    second = GuardianshipFactory(pupil=pupil, parent__mobile="").parent
    GuardianshipFactory(pupil=pupil, confirmed_at=None)  # imported, never accepted
    GuardianshipFactory(pupil=pupil, ended_at=NOON - timedelta(days=30))
    GuardianshipFactory()  # another child's parent
    complete(pupil, [unfinished_activity()])

    awards_evaluate(pupil=pupil)

    told = sorted(Message.objects.values_list("recipient__email", "channel"))
    assert told == sorted([(parent.email, "email"), (parent.email, "sms"), (second.email, "email")])


def test_the_parents_channel_choice_applies_to_award_messages(parent, pupil):
    notification_preferences_set(user=parent, engagement_email=False, engagement_sms=True)
    complete(pupil, [unfinished_activity()])

    awards_evaluate(pupil=pupil)

    assert list(Message.objects.values_list("channel", flat=True)) == ["sms"]


def test_an_award_text_in_the_evening_waits_for_the_morning(pupil, monkeypatch):
    evening = datetime(2026, 5, 12, 21, 0, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    complete(pupil, [unfinished_activity()], at=evening)

    awards_evaluate(pupil=pupil)

    text = Message.objects.get(channel="sms")
    assert text.not_before == datetime(2026, 5, 13, 8, 0, tzinfo=LONDON)
    assert Message.objects.get(channel="email").not_before is None


@pytest.mark.parametrize(
    "account",
    [{"processing_restricted": True}, {"closed_at": NOON, "is_active": False}],
    ids=["restricted", "closed"],
)
def test_a_restricted_or_closed_parent_is_not_told(parent, pupil, account):
    for field, value in account.items():
        setattr(parent, field, value)
    parent.save()
    complete(pupil, [unfinished_activity()])

    granted = awards_evaluate(pupil=pupil)

    assert kinds(granted) == [Award.Kind.FIRST_ACTIVITY]  # the child still earns it
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("first_name", "wording", "every_text"),
    [
        # "ë" is not in the GSM alphabet: the text needs UCS-2, 134 characters in two
        # parts, and every award's full wording, with the school's name first and how
        # to stop texts last, is too long for that: the name stays, the wording is shorter.
        ("Zoë", "Zoë earned an award! See it: http", True),
        ("Zoë-Anne " * 11, "your child earned an award! See it: http", True),
    ],
    ids=["unicode-name", "very-long-unicode-name"],
)
def test_award_texts_fall_back_to_shorter_wording_to_fit_two_segments(
    pupil, first_name, wording, every_text
):
    pupil.first_name = first_name.strip()
    pupil.save(update_fields=["first_name"])
    topic = TopicFactory()
    activities = ActivityFactory.create_batch(5, topic=topic)
    complete(pupil, activities[:3], at=NOON - timedelta(weeks=2))
    complete(pupil, activities[3:4], at=NOON - timedelta(weeks=1))
    complete(pupil, activities[4:])

    assert len(awards_evaluate(pupil=pupil)) == len(AWARD_RULES)

    texts = list(Message.objects.filter(channel="sms").values_list("body_text", flat=True))
    assert len(texts) == len(AWARD_RULES)
    for text in texts:
        encoding, length = sms_length(text)
        assert length <= sms_limit(encoding)
        assert text.startswith(f"{pupil.school.name_for_parents[:30]}: ")
        assert "stop texts" in text.lower()
    shortened = [text for text in texts if wording in text]
    if every_text:
        assert len(shortened) == len(texts)
    else:
        assert 0 < len(shortened) < len(texts)


def test_a_name_needing_ucs2_that_cannot_fit_is_written_plainly_rather_than_dropped(pupil):
    """A child called Zoë needs UCS-2 (134 characters in two parts), too few beside
    the school's long name: the text falls back to GSM-7 with both written plainly
    (the school's curly apostrophe too), and still names the child."""
    school = pupil.school
    school.name = "St Bartholomew\u2019s Church of England Voluntary Aided Primary School"
    school.save(update_fields=["name"])
    pupil.first_name = "Zoë"
    pupil.save(update_fields=["first_name"])

    complete(pupil, [ActivityFactory(topic=TopicFactory())])
    awards_evaluate(pupil=pupil)

    texts = Message.objects.filter(channel="sms").values_list("body_text", flat=True)
    assert texts
    for text in texts:
        assert text.startswith("St Bartholomew's Church of Eng: Zoe earned an award!")
        assert sms_length(text)[0] == "gsm7"
        assert "stop texts" in text.lower()


def test_every_award_text_uses_the_full_wording_for_an_ordinary_name(pupil):
    pupil.first_name = "Olivia"
    pupil.save(update_fields=["first_name"])
    topic = TopicFactory()
    activities = ActivityFactory.create_batch(5, topic=topic)
    complete(pupil, activities[:3], at=NOON - timedelta(weeks=2))
    complete(pupil, activities[3:4], at=NOON - timedelta(weeks=1))
    complete(pupil, activities[4:])

    awards_evaluate(pupil=pupil)

    texts = list(Message.objects.filter(channel="sms").values_list("body_text", flat=True))
    assert len(texts) == 4
    school = pupil.school.name_for_parents
    assert all(text.startswith(f"{school}: well done! Olivia earned the") for text in texts)
    assert all("/children/" in text for text in texts)


def test_an_award_granted_meanwhile_by_another_evaluation_is_not_granted_or_sent_twice(
    pupil, monkeypatch
):
    """The unique constraint, not the check before it, keeps an award single."""
    import learning.services.awards

    complete(pupil, [unfinished_activity()])
    real_progress = learning.services.awards.pupil_progress

    def progress_while_another_evaluation_commits(*, pupil):
        Award.objects.create(pupil=pupil, kind=Award.Kind.FIRST_ACTIVITY)
        return real_progress(pupil=pupil)

    monkeypatch.setattr(
        learning.services.awards, "pupil_progress", progress_while_another_evaluation_commits
    )

    assert awards_evaluate(pupil=pupil) == []
    assert Award.objects.count() == 1
    assert not Message.objects.exists()


def _queries_to_evaluate(django_assert_num_queries, completions: int) -> None:
    guardianship = GuardianshipFactory(parent__mobile="+447700900123")
    pupil = guardianship.pupil
    topic = TopicFactory()
    complete(pupil, ActivityFactory.create_batch(completions, topic=topic))
    ActivityFactory(topic=topic)  # the topic stays unfinished
    # Held already, so that both sizes earn one award (the first activity): the
    # queries grow with the awards granted, never with the completions.
    Award.objects.create(pupil=pupil, kind=Award.Kind.FIVE_ACTIVITIES)
    # awards_evaluate's savepoint (2); awards held; completions per week; topics
    # completed; the award's savepoint and INSERT (3); guardians; the parents'
    # preferences; keys queued; one INSERT of messages; notified_at
    with django_assert_num_queries(2 + 3 + 3 + 5):
        granted = awards_evaluate(pupil=pupil)
    assert kinds(granted) == [Award.Kind.FIRST_ACTIVITY]


@pytest.mark.parametrize("completions", [1, 30])
def test_evaluating_takes_the_same_queries_for_1_or_30_completions(
    django_assert_num_queries, completions
):
    _queries_to_evaluate(django_assert_num_queries, completions)


def test_a_pupil_who_has_every_award_costs_one_query(pupil, django_assert_num_queries):
    for kind in Award.Kind.values:
        Award.objects.create(pupil=pupil, kind=kind)
    with django_assert_num_queries(1 + 2):  # and the savepoint of awards_evaluate
        assert awards_evaluate(pupil=pupil) == []


def test_an_anonymised_pupil_earns_nothing(pupil):
    complete(pupil, [ActivityFactory()])
    pupil.anonymised_at = NOON
    pupil.upn = ""
    pupil.save()
    assert awards_evaluate(pupil=pupil) == []
    assert not Award.objects.exists()


def test_every_award_kind_has_exactly_one_rule():
    assert sorted(AWARD_RULES) == sorted(Award.Kind.values)
    assert all(rule.title == Award.Kind(kind).label for kind, rule in AWARD_RULES.items())


def test_the_task_evaluates_the_pupil_by_primary_key(pupil):
    complete(pupil, [unfinished_activity()])

    assert awards_evaluate_task.delay(pupil.pk).get() == 1
    assert awards_evaluate_task.delay(pupil.pk).get() == 0
    assert awards_evaluate_task.delay(pupil.pk + 1000).get() == 0
    assert Award.objects.filter(pupil=pupil).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_grant_and_notify_each_award_once(monkeypatch):
    import learning.services.awards

    needs_postgresql("Concurrent inserts need PostgreSQL (SQLite serialises writers)")

    guardianship = GuardianshipFactory(parent__mobile="+447700900123")
    pupil = guardianship.pupil
    complete(pupil, ActivityFactory.create_batch(5, topic=TopicFactory()))
    start = meeting_point()
    real_progress = learning.services.awards.pupil_progress

    def progress_then_wait(*, pupil):
        progress = real_progress(pupil=pupil)
        start.wait()  # both have decided what to grant before either inserts
        return progress

    monkeypatch.setattr(learning.services.awards, "pupil_progress", progress_then_wait)

    def evaluate():
        return awards_evaluate(pupil=pupil)

    race = at_once(evaluate, evaluate, together=False)
    assert race.errors == []
    assert sorted(kind for result in race.results for kind in kinds(result)) == sorted(
        [Award.Kind.FIRST_ACTIVITY, Award.Kind.FIVE_ACTIVITIES, Award.Kind.TOPIC_COMPLETED]
    )
    assert Award.objects.count() == 3
    assert Message.objects.count() == 3 * 2
    assert not Award.objects.filter(notified_at__isnull=True).exists()
