"""The topic pages run the same number of queries at 1 topic or activity and at 30.

Staff pages: session, user and OTP device (3), then the page's own queries and
the header's navigation (is the user a parent? their memberships).
"""

import pytest
from django.urls import reverse

from learning.models import Activity
from tests.factories import (
    ActivityFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 30]

# Both pages also read the consent status the banners need (1 query).
TOPIC_LIST = 9  # + may author (memberships), page count, page of topics with schools and counts
TOPIC_DETAIL = 10  # + may author, topic with school, its activities, may edit


@pytest.fixture
def teacher_client(staff_client):
    school = SchoolFactory()
    teacher = teacher_of(SchoolClassFactory(school=school))
    return staff_client(teacher), school


@pytest.mark.parametrize("size", SIZES)
def test_topic_list_query_count(teacher_client, django_assert_num_queries, size):
    client, school = teacher_client
    for n in range(size):
        # Odd: the school's own; even: the library, where every fourth is a hidden draft.
        topic = TopicFactory(school=school if n % 2 else None, published=n % 4 != 2)
        ActivityFactory(topic=topic)

    with django_assert_num_queries(TOPIC_LIST):
        response = client.get(reverse("learning:topic_list"), {"year_group": 3})

    assert response.status_code == 200
    assert len(response.context["page"]) == len([n for n in range(size) if n % 4 != 2])


@pytest.mark.parametrize("size", SIZES)
def test_topic_detail_query_count(teacher_client, django_assert_num_queries, size):
    client, school = teacher_client
    topic = TopicFactory(school=school)
    kinds = [
        {"kind": Activity.Kind.ACTIVITY},
        {"kind": Activity.Kind.VIDEO, "video_url": "https://youtu.be/dQw4w9WgXcQ"},
        {"kind": Activity.Kind.VIDEO, "video_file": "videos/a.mp4"},
        {"kind": Activity.Kind.GAME, "game_url": "https://example.org/game"},
    ]
    for n in range(size):
        ActivityFactory(topic=topic, **kinds[n % len(kinds)])

    with django_assert_num_queries(TOPIC_DETAIL):
        response = client.get(reverse("learning:topic_detail", args=[topic.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('class="card activity"') == size
