"""Demo home learning: a few library topics, and one of them set for a class.

Part of ``seed_demo`` (``demo.seeding``), DEBUG-only demo data. The demo topics
are library topics written by the demo platform staff account; a run finds them
by that author and their titles, creates the missing ones and puts back the
fields and activities of any a newcomer changed, writing nothing when all is as
written here. Activities are matched by position, so completions of them made
elsewhere keep pointing at the same rows; an activity a newcomer added is
removed unless a family has already done or rated it.

The demo assignment belongs to a demo class, which every run builds afresh, so
it is simply created: it started a few days ago and the families were told then
(no message is queued), so the demo parent finds the topic in their child's
space at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import User
from audit.services import audit_record
from learning.models import Activity, Assignment, Completion, Feedback, Subject, Topic
from learning.services import SCHOOL_TIME_ZONE, school_today
from schools.models import SchoolClass, YearGroup


@dataclass(frozen=True)
class DemoActivity:
    title: str
    instructions: str
    kind: str = Activity.Kind.ACTIVITY
    video_url: str = ""
    game_url: str = ""


@dataclass(frozen=True)
class DemoTopic:
    title: str
    summary: str
    subject: str
    year_group_min: int
    year_group_max: int
    activities: tuple[DemoActivity, ...]


STORY_FILM = DemoTopic(
    title="Stories without words",
    summary="A short animated film tells its story with no words at all. Watch it, "
    "then tell the story yourselves and give it a new ending.",
    subject=Subject.ENGLISH,
    year_group_min=YearGroup.Y2,
    year_group_max=YearGroup.Y5,
    activities=(
        DemoActivity(
            kind=Activity.Kind.VIDEO,
            title="Watch a film with no words",
            instructions="Watch the film together (about ten minutes). Nobody speaks, "
            "so look at the characters' faces and what they do.\n\n"
            "Pause it now and then and ask: *how is the rabbit feeling now?*",
            video_url="https://www.youtube.com/watch?v=aqz-KE-bpKQ",
        ),
        DemoActivity(
            title="Tell the story in five pictures",
            instructions="Fold a sheet of paper into five boxes and draw the story:\n\n"
            "1. how it begins\n2. what goes wrong\n3. the plan\n4. the big moment\n"
            "5. how it ends\n\nThen tell the story out loud using your pictures.",
        ),
        DemoActivity(
            title="Give it a new ending",
            instructions="What else could have happened at the end? Act out or write "
            "**a new ending** of three or four sentences. Who is the hero this time?",
        ),
    ),
)
DEMO_TOPICS = (
    STORY_FILM,
    DemoTopic(
        title="Times tables at speed",
        summary="Quick-fire times tables on screen, then spotting groups of things "
        "around the house.",
        subject=Subject.MATHS,
        year_group_min=YearGroup.Y2,
        year_group_max=YearGroup.Y6,
        activities=(
            DemoActivity(
                kind=Activity.Kind.GAME,
                title="Hit the Button",
                instructions="Choose *Times tables*, then the table you are learning. "
                "Play three rounds and try to beat your first score.",
                game_url="https://www.topmarks.co.uk/maths-games/hit-the-button",
            ),
            DemoActivity(
                title="Times tables hunt",
                instructions="Find things at home that come in equal groups, for example:\n\n"
                "- eggs in a box\n- wheels on the cars in the street\n- socks in pairs\n\n"
                "Write a multiplication for each one, such as 2 \N{MULTIPLICATION SIGN} 6 = 12.",
            ),
        ),
    ),
    DemoTopic(
        title="Minibeasts in the garden",
        summary="Find out who lives under the logs and leaves near you, and make them "
        "somewhere to stay.",
        subject=Subject.SCIENCE,
        year_group_min=YearGroup.Y1,
        year_group_max=YearGroup.Y4,
        activities=(
            DemoActivity(
                title="Bug hunt",
                instructions="In a garden or park, lift a log or a stone **gently** and "
                "count what lives underneath. Put it back just as you found it.",
            ),
            DemoActivity(
                title="Build a bug hotel",
                instructions="Pack a plant pot or a cut-down bottle with sticks, dry "
                "leaves and pine cones, and lay it on its side somewhere damp and shady.",
            ),
            DemoActivity(
                title="Draw a minibeast up close",
                instructions="Choose one minibeast you found and draw it large. "
                "How many legs does it have? Label its body parts.",
            ),
        ),
    ),
)
# The demo class's topic: started this many days ago, due this many days from today.
DEMO_ASSIGNMENT_TOPIC = STORY_FILM
DEMO_ASSIGNMENT_STARTED_DAYS_AGO = 2
DEMO_ASSIGNMENT_DUE_IN_DAYS = 12
DEMO_ASSIGNMENT_MESSAGE = (
    "This week we are telling stories from pictures. Please send us a photo of your "
    "five-picture story!"
)

TOPIC_FIELDS = ("summary", "subject", "year_group_min", "year_group_max", "published")
ACTIVITY_FIELDS = ("kind", "title", "instructions", "video_url", "video_file", "game_url")


def _topic_values(spec: DemoTopic) -> dict:
    return {
        "summary": spec.summary,
        "subject": spec.subject,
        "year_group_min": spec.year_group_min,
        "year_group_max": spec.year_group_max,
        "published": True,
    }


def _activity_values(spec: DemoActivity) -> dict:
    return {
        "kind": spec.kind,
        "title": spec.title,
        "instructions": spec.instructions,
        "video_url": spec.video_url,
        "video_file": "",
        "game_url": spec.game_url,
    }


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


@transaction.atomic
def demo_topics_save(*, author: User) -> dict[str, Topic]:
    """The demo library topics by title, published and with their activities as
    written in ``DEMO_TOPICS``; a few queries whatever needed putting back."""
    titles = [spec.title for spec in DEMO_TOPICS]
    topics = {
        topic.title: topic
        for topic in Topic.objects.filter(school=None, created_by=author, title__in=titles)
    }
    changed_topics = []
    for spec in DEMO_TOPICS:
        values = _topic_values(spec)
        topic = topics.get(spec.title)
        if topic is None:
            topics[spec.title] = Topic.objects.create(
                school=None, title=spec.title, created_by=author, **values
            )
        elif _differs(topic, values):
            for name, value in values.items():
                setattr(topic, name, value)
            changed_topics.append(topic)
    if changed_topics:
        Topic.objects.bulk_update(changed_topics, TOPIC_FIELDS)

    existing = {
        (activity.topic_id, activity.position): activity
        for activity in Activity.objects.filter(topic__in=topics.values())
    }
    new, changed, wanted = [], [], set()
    for spec in DEMO_TOPICS:
        topic = topics[spec.title]
        for position, activity_spec in enumerate(spec.activities, start=1):
            wanted.add((topic.pk, position))
            values = _activity_values(activity_spec)
            activity = existing.get((topic.pk, position))
            if activity is None:
                new.append(Activity(topic=topic, position=position, **values))
            elif _differs(activity, values):
                for name, value in values.items():
                    setattr(activity, name, value)
                changed.append(activity)
    extra = [activity.pk for key, activity in existing.items() if key not in wanted]
    if extra:
        Activity.objects.filter(pk__in=extra).exclude(
            Exists(Completion.objects.filter(activity=OuterRef("pk")))
            | Exists(Feedback.objects.filter(activity=OuterRef("pk")))
        ).delete()
    if changed:
        Activity.objects.bulk_update(changed, ACTIVITY_FIELDS)
    if new:
        Activity.objects.bulk_create(new)
    return topics


def demo_assignment_create(*, topic: Topic, school_class: SchoolClass, teacher: User) -> Assignment:
    """The demo class's work: started a few days ago, families told on the day."""
    starts_on = school_today() - timedelta(days=DEMO_ASSIGNMENT_STARTED_DAYS_AGO)
    told_at = datetime.combine(starts_on, time(8, 0), tzinfo=SCHOOL_TIME_ZONE)
    assignment = Assignment.objects.create(
        topic=topic,
        school_class=school_class,
        set_by=teacher,
        starts_on=starts_on,
        due_on=school_today() + timedelta(days=DEMO_ASSIGNMENT_DUE_IN_DAYS),
        message=DEMO_ASSIGNMENT_MESSAGE,
        start_notified_at=told_at,
    )
    # As if the teacher had set it on the page: the school's audit log shows it.
    audit_record(
        actor=teacher,
        action="assignment.create",
        subject=assignment,
        school=school_class.school,
        changes={"topic": topic.pk, "class": school_class.pk, "starts_on": starts_on},
    )
    return assignment
