"""Platform staff curate the library in the Django admin."""

import pytest
from django.urls import reverse

from learning.models import Topic
from tests.factories import SchoolFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_staff_client(staff_client):
    return staff_client(UserFactory(is_staff=True, is_superuser=True))


def _inline(prefix="activities", **rows):
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    data.update({f"{prefix}-0-{name}": value for name, value in rows.items()})
    return data


def test_platform_staff_add_a_library_topic_with_an_activity(platform_staff_client):
    response = platform_staff_client.post(
        reverse("admin:learning_topic_add"),
        {
            "title": "Shapes around the house",
            "summary": "Find circles and squares.",
            "subject": "maths",
            "year_group_min": "0",
            "year_group_max": "2",
            "published": "on",
            **_inline(
                position="1",
                kind="video",
                title="Shape song",
                instructions="Sing along.",
                video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                game_url="",
            ),
        },
    )

    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.school is None
    assert topic.activities.get().video_link.video_id == "dQw4w9WgXcQ"


def test_an_activity_whose_content_does_not_match_its_kind_is_refused_in_the_admin(
    platform_staff_client,
):
    response = platform_staff_client.post(
        reverse("admin:learning_topic_add"),
        {
            "title": "Games",
            "subject": "maths",
            "year_group_min": "0",
            "year_group_max": "2",
            **_inline(position="1", kind="game", title="Snap", game_url="", video_url=""),
        },
    )

    assert response.status_code == 200
    assert "the game&#x27;s address" in response.content.decode()
    assert not Topic.objects.exists()


def test_the_admin_lists_the_library_only(platform_staff_client):
    TopicFactory(title="In the library")
    TopicFactory(title="A school's own", school=SchoolFactory())

    content = platform_staff_client.get(reverse("admin:learning_topic_changelist")).content.decode()

    assert "In the library" in content
    assert "A school" not in content


def test_an_activity_with_an_uploaded_video_opens_in_the_admin_without_a_public_link(
    platform_staff_client,
):
    from tests.factories import ActivityFactory

    activity = ActivityFactory(kind="video", video_file="videos/abc.mp4")

    response = platform_staff_client.get(
        reverse("admin:learning_topic_change", args=[activity.topic_id])
    )

    assert response.status_code == 200
    assert "videos/abc.mp4" not in response.content.decode()
    assert "Leave this empty to keep the current file." in response.content.decode()
