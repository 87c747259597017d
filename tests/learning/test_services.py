"""Topic and activity services: order stays whole however activities are added,
moved and deleted."""

import pytest

from learning.models import Activity
from learning.services import (
    activity_create,
    activity_delete,
    activity_move,
    topic_create,
    topic_update,
)
from tests.concurrency import at_once, needs_postgresql
from tests.factories import ActivityFactory, SchoolFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(topic):
    return list(topic.activities.order_by("position").values_list("title", flat=True))


def test_a_new_activity_goes_after_the_last_even_with_gaps():
    actor = UserFactory()
    topic = TopicFactory(school=SchoolFactory())
    ActivityFactory(topic=topic, title="A", position=1)
    middle = ActivityFactory(topic=topic, title="B", position=2)
    ActivityFactory(topic=topic, title="C", position=3)
    activity_delete(activity=middle, actor=actor)

    added = activity_create(topic=topic, actor=actor, kind=Activity.Kind.ACTIVITY, title="D")

    assert added.position == 4
    assert _titles(topic) == ["A", "C", "D"]
    activity_move(activity=added, direction="up", actor=actor)
    assert _titles(topic) == ["A", "D", "C"]
    assert set(topic.activities.values_list("position", flat=True)) == {1, 3, 4}


def test_moving_the_last_activity_down_changes_nothing():
    topic = TopicFactory()
    last = ActivityFactory(topic=topic, title="Only")

    assert activity_move(activity=last, direction="down", actor=UserFactory()) is False
    last.refresh_from_db()
    assert last.position == 1


def test_topic_services_validate_like_the_forms():
    from django.core.exceptions import ValidationError

    actor = UserFactory()
    topic = topic_create(
        school=None,
        actor=actor,
        title="Library",
        subject="maths",
        year_group_min=1,
        year_group_max=2,
    )
    with pytest.raises(ValidationError):
        topic_update(topic=topic, actor=actor, year_group_min=5)
    with pytest.raises(TypeError):
        topic_update(topic=topic, actor=actor, school=None)
    with pytest.raises(ValidationError):
        activity_create(topic=topic, actor=actor, kind=Activity.Kind.GAME, title="No link")


@pytest.mark.django_db(transaction=True)
def test_two_activities_added_at_once_both_land_in_order():
    needs_postgresql()
    topic = TopicFactory(school=SchoolFactory())
    actor = UserFactory()

    def author(title):
        return lambda: activity_create(
            topic=topic, actor=actor, kind=Activity.Kind.ACTIVITY, title=title
        )

    assert at_once(author("X"), author("Y")).errors == []
    assert sorted(topic.activities.values_list("position", flat=True)) == [1, 2]
