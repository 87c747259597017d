"""The game link of a parent's page: records the game opened, then redirects to
the address the teacher saved on the activity, and nowhere else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import Event
from learning.models import Activity
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    TopicFactory,
    UserFactory,
    sign_in_verified,
)
from tests.learning.space_world import family_world

pytestmark = pytest.mark.django_db

GAME_URL = "https://games.example.org/bugs"


@pytest.fixture
def game(family):
    return ActivityFactory(topic=family.topic, kind=Activity.Kind.GAME, game_url=GAME_URL)


def _open(client, game, **query):
    return client.get(reverse("engagement:game_open", args=[game.pk]), query)


def _child(family):
    return {"pupil": family.pupil.pk, "assignment": family.assignment.pk}


def _games_opened():
    return Event.objects.filter(kind=Event.Kind.GAME_OPENED).count()


def test_the_link_redirects_only_to_the_saved_address(client, family, game):
    client.force_login(family.parent)

    response = _open(
        client,
        game,
        **_child(family),
        next="https://evil.example.com/",
        url="https://evil.example.com/",
    )

    assert response.status_code == 302
    assert response["Location"] == GAME_URL
    assert _games_opened() == 1


def test_opening_again_within_a_minute_counts_once(client, family, game):
    client.force_login(family.parent)

    for _ in range(3):
        assert _open(client, game, **_child(family))["Location"] == GAME_URL

    assert _games_opened() == 1


def test_each_parent_of_the_child_is_counted(client, family, game):
    for parent in (family.parent, family.other_parent):
        client.force_login(parent)
        _open(client, game, **_child(family))

    assert set(
        Event.objects.filter(kind=Event.Kind.GAME_OPENED).values_list("actor", flat=True)
    ) == {family.parent.pk, family.other_parent.pk}


def test_another_familys_child_or_game_is_not_found(client, family, game):
    other = family_world()
    other_game = ActivityFactory(topic=other.topic, kind=Activity.Kind.GAME, game_url=GAME_URL)
    client.force_login(family.parent)

    refused = [
        _open(client, game, pupil=other.pupil.pk, assignment=other.assignment.pk),
        _open(client, game, pupil=other.pupil.pk, assignment=family.assignment.pk),
        _open(client, other_game, **_child(family)),
        _open(client, other_game, pupil=other.pupil.pk, assignment=other.assignment.pk),
        _open(client, game, pupil=family.pupil.pk, assignment=other.assignment.pk),
        _open(client, game, pupil=family.pupil.pk),
        _open(client, game, pupil="x", assignment="-1"),
    ]

    assert [response.status_code for response in refused] == [404] * len(refused)
    assert _games_opened() == 0


def test_staff_and_strangers_are_not_found(client, family, game):
    sign_in_verified(client, family.teacher)
    teacher = _open(client, game, **_child(family))
    client.logout()
    sign_in_verified(client, family.admin)
    admin = _open(client, game, **_child(family))
    client.logout()
    client.force_login(UserFactory())
    stranger = _open(client, game, **_child(family))

    assert (teacher.status_code, admin.status_code, stranger.status_code) == (404, 404, 404)
    assert _games_opened() == 0


def test_an_activity_that_is_not_a_game_is_not_found(client, family):
    client.force_login(family.parent)

    assert _open(client, family.activities[0], **_child(family)).status_code == 404


def test_a_topic_not_started_yet_is_not_found(client, family):
    topic = TopicFactory()
    game = ActivityFactory(topic=topic, kind=Activity.Kind.GAME, game_url=GAME_URL)
    later = AssignmentFactory(
        topic=topic,
        school_class=family.school_class,
        starts_on=timezone.localdate() + timedelta(days=3),
    )
    client.force_login(family.parent)

    assert _open(client, game, pupil=family.pupil.pk, assignment=later.pk).status_code == 404


def test_a_child_the_school_removed_still_opens_the_game_but_is_not_tracked(client, family, game):
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()
    client.force_login(family.parent)

    assert _open(client, game, **_child(family))["Location"] == GAME_URL
    assert _games_opened() == 0


def test_an_invited_parent_who_has_not_joined_is_not_found(client, family, game):
    invited = UserFactory()
    GuardianshipFactory(parent=invited, pupil=family.pupil, confirmed_at=None)
    client.force_login(invited)

    assert _open(client, game, **_child(family)).status_code == 404
