"""The child's space, a topic's page and the staff feedback and moderation pages run
the same number of queries at 1 row and at 30.

Every signed-in page: session, user, the two-factor check (for a parent: has
the user any staff membership?; for staff: their OTP device), the consent status;
the header: is the user a parent, their memberships. That is 6, then each page's own.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import Activity, Award
from learning.services import completion_record, feedback_save
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    TopicFactory,
    UserFactory,
)
from tests.learning.space_world import family_world, prepared_photo

pytestmark = pytest.mark.django_db

SIZES = [1, 30]

CHILD_SPACE = 10  # + the checkpoint's look-up of the child, then the parent's children
# (for the menu), topics with progress counts, awards
# + the child, the assignment with progress counts, its activities, the child's
# completions, the parent's feedback; recording "opened": is it their child, lock the
# guardianship, opened today already?, is the parent tracked for this child (the
# event's own rule, engagement.services.event_record), the event, its day in the
# engagement summary and its audit entry, and the savepoint pair around them; may
# they record (for the forms).
CHILD_ASSIGNMENT = 21
# + the assignment (with its class's school and its topic), its activities, the
# class's pupils the user sees, their completions, their feedback.
ASSIGNMENT_FEEDBACK = 11
# + is school staff, page count, the page of items with pupils and topics, the menu's
# count of feedback waiting.
MODERATION = 10

CONTENT = [
    {"kind": Activity.Kind.ACTIVITY},
    {"kind": Activity.Kind.VIDEO, "video_url": "https://youtu.be/dQw4w9WgXcQ"},
    {"kind": Activity.Kind.VIDEO, "video_file": "videos/a.mp4"},
    {"kind": Activity.Kind.GAME, "game_url": "https://example.org/game"},
]


@pytest.mark.parametrize("size", SIZES)
def test_child_space_query_count(client, django_assert_num_queries, size):
    family = family_world(activities=1)
    sibling = PupilFactory(school=family.school)
    GuardianshipFactory(parent=family.parent, pupil=sibling)
    today = timezone.localdate()
    for n in range(size - 1):
        topic = TopicFactory()
        activity = ActivityFactory(topic=topic)
        past = n % 2 == 0
        AssignmentFactory(
            topic=topic,
            school_class=family.school_class,
            starts_on=today - timedelta(days=40 if past else 2),
            due_on=today - timedelta(days=30) if past else today + timedelta(days=n + 1),
        )
        completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    for kind in list(Award.Kind)[: min(size, 4)]:
        Award.objects.create(pupil=family.pupil, kind=kind)
    client.force_login(family.parent)

    with django_assert_num_queries(CHILD_SPACE):
        response = client.get(reverse("learning:child_space", args=[family.pupil.pk]))

    assert response.status_code == 200
    space = response.context["space"]
    assert len(space.current) + len(space.past) == size


@pytest.mark.parametrize("size", SIZES)
def test_child_assignment_query_count(client, django_assert_num_queries, size):
    family = family_world(activities=0)
    for n in range(size):
        activity = ActivityFactory(topic=family.topic, **CONTENT[n % len(CONTENT)])
        if n % 3 != 2:
            completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
        if n % 3 == 0:
            feedback_save(
                pupil=family.pupil,
                activity=activity,
                actor=family.parent,
                rating=4,
                comment="Good",
                photo=prepared_photo() if n % 2 == 0 else None,
            )
    client.force_login(family.parent)

    with django_assert_num_queries(CHILD_ASSIGNMENT):
        response = client.get(
            reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])
        )

    assert response.status_code == 200
    assert response.content.decode().count('class="card activity"') == size


@pytest.mark.parametrize("size", SIZES)
def test_assignment_feedback_query_count(staff_client, django_assert_num_queries, size):
    family = family_world(activities=3)
    pupils = [(family.pupil, family.parent)]
    for _ in range(size - 1):
        pupil = PupilFactory(school=family.school, school_class=family.school_class)
        parent = UserFactory()
        GuardianshipFactory(parent=parent, pupil=pupil)
        pupils.append((pupil, parent))
    for n, (pupil, parent) in enumerate(pupils):
        activity = family.activities[n % 3]
        completion_record(pupil=pupil, activity=activity, actor=parent)
        feedback_save(
            pupil=pupil,
            activity=activity,
            actor=parent,
            rating=n % 5 + 1,
            comment=f"Comment {n}",
            photo=prepared_photo() if n % 4 == 0 else None,
        )
    client = staff_client(family.teacher)

    with django_assert_num_queries(ASSIGNMENT_FEEDBACK):
        response = client.get(reverse("learning:assignment_feedback", args=[family.assignment.pk]))

    assert response.status_code == 200
    assert response.context["feedback"].pupil_count == size
    assert response.content.decode().count('class="feedback-item"') == size


@pytest.mark.parametrize("size", SIZES)
def test_moderation_query_count(staff_client, django_assert_num_queries, size):
    family = family_world(activities=1, moderate=True)
    for n in range(size):
        pupil = PupilFactory(school=family.school, school_class=family.school_class)
        parent = UserFactory()
        GuardianshipFactory(parent=parent, pupil=pupil)
        completion_record(pupil=pupil, activity=family.activities[0], actor=parent)
        feedback_save(
            pupil=pupil,
            activity=family.activities[0],
            actor=parent,
            rating=None,
            comment=f"Please approve {n}",
            photo=prepared_photo() if n % 3 == 0 else None,
        )
    client = staff_client(family.teacher)

    with django_assert_num_queries(MODERATION):
        response = client.get(reverse("learning:feedback_moderation"))

    assert response.status_code == 200
    assert response.content.decode().count('class="card moderation-item"') == min(size, 25)
