"""Each kind of engagement is recorded where the parent does it: opening a topic,
opening an activity's page, starting a video, opening a game, completing, rating,
commenting and sharing a photo. Staff looking at the same things record nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from engagement.models import Event
from learning.models import Activity, Completion
from tests.factories import ActivityFactory, sign_in_verified
from tests.learning.space_world import family_world, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_client(client, family):
    client.force_login(family.parent)
    return client


@pytest.fixture
def video(family):
    return ActivityFactory(
        topic=family.topic, kind=Activity.Kind.VIDEO, video_url="https://youtu.be/dQw4w9WgXcQ"
    )


@pytest.fixture
def game(family):
    return ActivityFactory(
        topic=family.topic, kind=Activity.Kind.GAME, game_url="https://games.example.org/bugs"
    )


def _tracked(kind=None):
    """Events other than sign-ins (every signed-in test client makes one)."""
    events = Event.objects.exclude(kind=Event.Kind.SIGNED_IN)
    if kind is not None:
        events = events.filter(kind=kind)
    return list(events.values_list("kind", "actor", "pupil", "school", "subject"))


def _child(family):
    return {"pupil": family.pupil.pk, "assignment": family.assignment.pk}


def _video_page(client, family, video, **query):
    return client.get(reverse("learning:activity_video", args=[family.topic.pk, video.pk]), query)


def _row(family, kind, subject):
    return (kind, family.parent.pk, family.pupil.pk, family.school.pk, subject)


def test_opening_the_childs_topic_records_a_topic_opened(parent_client, family):
    parent_client.get(
        reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])
    )

    assert _tracked() == [
        _row(family, Event.Kind.ASSIGNMENT_OPENED, f"assignment:{family.assignment.pk}")
    ]


def test_opening_a_videos_page_from_the_childs_topic_records_an_activity_opened(
    parent_client, family, video
):
    assert _video_page(parent_client, family, video, **_child(family)).status_code == 200
    _video_page(parent_client, family, video, **_child(family))  # reloaded

    assert _tracked() == [_row(family, Event.Kind.ACTIVITY_OPENED, f"activity:{video.pk}")]


def _beacon(client, family, video, **data):
    return client.post(
        reverse("engagement:video_started", args=[video.pk]), {**_child(family), **data}
    )


def test_the_video_beacon_records_a_video_started_once_a_minute(parent_client, family, video):
    first = _beacon(parent_client, family, video)
    again = _beacon(parent_client, family, video)

    assert (first.status_code, again.status_code) == (204, 204)
    assert _tracked(Event.Kind.VIDEO_STARTED) == [
        _row(family, Event.Kind.VIDEO_STARTED, f"activity:{video.pk}")
    ]


def test_the_game_link_records_a_game_opened_and_sends_the_parent_to_the_game(
    parent_client, family, game
):
    response = parent_client.get(reverse("engagement:game_open", args=[game.pk]), _child(family))

    assert response.status_code == 302
    assert response["Location"] == "https://games.example.org/bugs"
    assert _tracked() == [_row(family, Event.Kind.GAME_OPENED, f"activity:{game.pk}")]


def _action(family, name, activity):
    return reverse(name, args=[family.pupil.pk, family.assignment.pk, activity.pk])


def test_we_did_this_then_feedback_record_completed_rated_commented_and_photo_shared(
    parent_client, family
):
    activity = family.activities[0]
    parent_client.post(_action(family, "learning:child_activity_done", activity))
    prefix = f"activity-{activity.pk}"
    feedback = {f"{prefix}-rating": "5", f"{prefix}-comment": "We found 12 woodlice!"}
    parent_client.post(
        _action(family, "learning:child_activity_feedback", activity),
        {**feedback, f"{prefix}-photo": photo_upload()},
    )
    # Saving the same feedback again is no new engagement.
    parent_client.post(_action(family, "learning:child_activity_feedback", activity), feedback)

    subject = f"activity:{activity.pk}"
    assert sorted(_tracked()) == sorted(
        [
            _row(family, Event.Kind.ACTIVITY_COMPLETED, subject),
            _row(family, Event.Kind.RATED, subject),
            _row(family, Event.Kind.COMMENTED, subject),
            _row(family, Event.Kind.PHOTO_SHARED, subject),
        ]
    )


def test_changing_only_the_rating_records_only_a_rating(parent_client, family):
    activity = family.activities[0]
    parent_client.post(_action(family, "learning:child_activity_done", activity))
    prefix = f"activity-{activity.pk}"
    url = _action(family, "learning:child_activity_feedback", activity)
    parent_client.post(url, {f"{prefix}-rating": "3", f"{prefix}-comment": "Fun"})
    parent_client.post(url, {f"{prefix}-rating": "4", f"{prefix}-comment": "Fun"})

    kinds = [row[0] for row in _tracked()]
    assert kinds.count(Event.Kind.RATED) == 2
    assert kinds.count(Event.Kind.COMMENTED) == 1


def test_staff_looking_at_the_same_topic_video_and_game_record_nothing(client, family, video):
    sign_in_verified(client, family.teacher)
    ActivityFactory(topic=family.topic, kind=Activity.Kind.GAME, game_url="https://g.example.org/")

    detail = client.get(reverse("learning:topic_detail", args=[family.topic.pk]))
    client.get(reverse("learning:assignment_detail", args=[family.assignment.pk]))
    _video_page(client, family, video)
    _video_page(client, family, video, **_child(family))  # not their child: no context

    html = detail.content.decode()
    assert 'href="https://g.example.org/"' in html  # staff's link goes straight to the game
    assert "data-video-started-url" not in html
    assert not Event.objects.exists()


def test_a_restricted_parent_uses_the_pages_but_is_never_tracked(client, family, video, game):
    family.parent.processing_restricted = True
    family.parent.save()
    client.force_login(family.parent)

    client.get(reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk]))
    _video_page(client, family, video, **_child(family))
    assert _beacon(client, family, video).status_code == 204
    opened = client.get(reverse("engagement:game_open", args=[game.pk]), _child(family))
    activity = family.activities[0]
    client.post(_action(family, "learning:child_activity_done", activity))
    prefix = f"activity-{activity.pk}"
    client.post(
        _action(family, "learning:child_activity_feedback", activity),
        {f"{prefix}-rating": "5", f"{prefix}-comment": "Lovely", f"{prefix}-photo": photo_upload()},
    )

    assert opened["Location"] == "https://games.example.org/bugs"
    assert Completion.objects.filter(pupil=family.pupil, activity=activity).exists()
    assert not Event.objects.exists()


# --- The beacon -------------------------------------------------------------------


def _csrf_token(html: str) -> str:
    return re.search(r'data-csrf-token="([^"]+)"', html).group(1)


def test_the_beacon_needs_the_pages_csrf_token(family, video):
    client = Client(enforce_csrf_checks=True)
    client.force_login(family.parent)
    page = _video_page(client, family, video, **_child(family)).content.decode()
    url = reverse("engagement:video_started", args=[video.pk])
    assert f'data-video-started-url="{url}"' in page

    refused = client.post(url, _child(family))
    accepted = client.post(url, {**_child(family), "csrfmiddlewaretoken": _csrf_token(page)})

    assert refused.status_code == 403
    assert accepted.status_code == 204
    assert len(_tracked(Event.Kind.VIDEO_STARTED)) == 1


def test_the_beacon_is_a_post_for_a_signed_in_parent_only(client, family, video):
    url = reverse("engagement:video_started", args=[video.pk])

    anonymous = client.post(url, _child(family))
    client.force_login(family.parent)
    read = client.get(url, _child(family))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert read.status_code == 405
    assert not _tracked()


@pytest.mark.parametrize(
    "change",
    ["another child", "teacher", "not a video", "not set for the child", "bad ids"],
)
def test_the_beacon_is_not_found_for_anything_but_the_parents_own_childs_video(
    client, family, video, game, change
):
    other = family_world()
    user, activity, data = family.parent, video, _child(family)
    if change == "another child":
        data = {"pupil": other.pupil.pk, "assignment": other.assignment.pk}
    elif change == "teacher":
        user = family.teacher
    elif change == "not a video":
        activity = game
    elif change == "not set for the child":
        data = {**data, "assignment": other.assignment.pk}
    else:
        data = {"pupil": "1 OR 1=1", "assignment": ""}
    if user == family.teacher:
        sign_in_verified(client, user)
    else:
        client.force_login(user)

    response = client.post(reverse("engagement:video_started", args=[activity.pk]), data)

    assert response.status_code == 404
    assert not _tracked()
