"""What the learning pages say reads true and plainly: who sees a family's
feedback, headings that are not numbered as activities, a video page that goes
back to the topic it was opened from, and a game that says it opens a new tab."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from learning.services import completion_record, feedback_moderate, feedback_save
from tests.factories import ActivityFactory, GuardianshipFactory, PupilFactory, sign_in_verified
from tests.learning.space_world import family_world, page_html

pytestmark = pytest.mark.django_db

ONLY_YOU_AND_STAFF = "Only you and the school's staff see your feedback."
NOT_ACCEPTED = "The school did not accept this feedback, so only you see your comment"


def _assignment_url(family):
    return reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])


def _feedback(family, **fields):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    return feedback_save(pupil=family.pupil, activity=activity, actor=family.parent, **fields)


def test_rejected_feedback_says_only_the_parent_sees_it_and_not_that_staff_do(client):
    family = family_world(moderate=True)
    feedback = _feedback(family, rating=3, comment="Our snail race")
    feedback_moderate(feedback=feedback, decision="reject", actor=family.teacher)
    client.force_login(family.parent)

    html = page_html(
        client.get(_assignment_url(family)),
        NOT_ACCEPTED,
        "(staff still see your rating)",
        "Other parents never see your feedback.",
    )

    assert ONLY_YOU_AND_STAFF not in html


def test_shared_feedback_says_only_the_parent_and_staff_see_it(client, family):
    _feedback(family, rating=5, comment="Loved it")
    client.force_login(family.parent)

    html = page_html(client.get(_assignment_url(family)), ONLY_YOU_AND_STAFF)

    assert "did not accept" not in html


def test_the_feedback_heading_inside_an_activity_is_not_numbered():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()

    assert ".activity-list > li > h3::before" in css  # the topic page's activity titles
    assert ".activity-list h3::before" not in css  # would number "Your feedback" too


# --- The video page goes back to the topic it was opened from -------------------------


def _video_family():
    family = family_world()
    video = ActivityFactory(
        topic=family.topic,
        title="Watch the ants",
        kind="video",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    return family, video


def test_a_parent_plays_a_video_from_the_childs_topic_and_goes_back_to_it(client):
    family, video = _video_family()
    client.force_login(family.parent)
    video_url = reverse("learning:activity_video", args=[family.topic.pk, video.pk])
    play = f"{video_url}?pupil={family.pupil.pk}&amp;assignment={family.assignment.pk}"

    space = page_html(client.get(_assignment_url(family)))
    assert f'href="{play}"' in space

    html = page_html(
        client.get(video_url, {"pupil": family.pupil.pk, "assignment": family.assignment.pk})
    )

    back = f"{_assignment_url(family)}#activity-{video.pk}"
    assert f'<a href="{back}">Minibeasts</a>' in html  # the breadcrumb
    assert f'<a href="{back}">Back to Minibeasts</a>' in html
    assert f'href="{reverse("accounts:home")}">Back' not in html


def test_someone_elses_child_in_the_link_does_not_change_where_back_goes(client):
    family, video = _video_family()
    stranger_child = PupilFactory(school=family.school, school_class=family.school_class)
    other = family_world()
    GuardianshipFactory(parent=other.parent, pupil=PupilFactory(school_class=family.school_class))
    client.force_login(other.parent)
    video_url = reverse("learning:activity_video", args=[family.topic.pk, video.pk])

    for pupil, assignment in [
        (stranger_child.pk, family.assignment.pk),
        ("x", "y"),
        ("9" * 30, "1"),
    ]:
        html = page_html(client.get(video_url, {"pupil": pupil, "assignment": assignment}))
        assert _assignment_url(family) not in html
        assert f'<a href="{reverse("accounts:home")}">Back to Minibeasts</a>' in html


def test_staff_go_back_to_the_topic_page(client):
    family, video = _video_family()
    sign_in_verified(client, family.teacher)
    video_url = reverse("learning:activity_video", args=[family.topic.pk, video.pk])

    html = page_html(client.get(video_url))

    back = f"{reverse('learning:topic_detail', args=[family.topic.pk])}#activity-{video.pk}"
    assert f'<a href="{back}">Back to Minibeasts</a>' in html


def test_a_game_in_the_childs_space_opens_in_a_new_tab_and_says_so(client):
    family = family_world()
    game = ActivityFactory(topic=family.topic, kind="game", game_url="https://example.org/game")
    client.force_login(family.parent)

    html = page_html(client.get(_assignment_url(family)), "(opens in a new tab)")

    # Through the portal's link, which records the game opened and redirects to it.
    link = reverse("engagement:game_open", args=[game.pk])
    query = f"?pupil={family.pupil.pk}&amp;assignment={family.assignment.pk}"
    assert f'href="{link}{query}" target="_blank" rel="noopener noreferrer"' in html
