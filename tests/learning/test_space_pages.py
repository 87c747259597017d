"""The child's space: a parent sees each child's topics now and before with progress,
does the activities, marks them done and gives feedback; nobody else gets in."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import Event
from learning.models import Activity, Award, Completion, Feedback
from learning.services import completion_record, feedback_save
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    sign_in_verified,
)
from tests.learning.space_world import family_world, page_html, photo_upload, prepared_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_client(client, family):
    client.force_login(family.parent)
    return client


def _space_url(family, pupil=None):
    return reverse("learning:child_space", args=[(pupil or family.pupil).pk])


def _assignment_url(family, assignment=None):
    return reverse(
        "learning:child_assignment", args=[family.pupil.pk, (assignment or family.assignment).pk]
    )


def _action_url(family, name, activity):
    return reverse(name, args=[family.pupil.pk, family.assignment.pk, activity.pk])


# --- The parent's home leads to each child's space ---------------------------------


def test_parent_home_leads_to_each_childs_space_and_says_what_is_to_do(parent_client, family):
    sibling = PupilFactory(first_name="Ben", school=family.school, school_class=None)
    GuardianshipFactory(parent=family.parent, pupil=sibling)

    html = page_html(
        parent_client.get(reverse("schools:parent_home")), "1 topic to do now", "Nothing to do"
    )

    assert f'href="{_space_url(family)}"' in html
    assert f'href="{_space_url(family, sibling)}"' in html
    assert "Open Amara's space" in html


# --- The child's space --------------------------------------------------------------


def test_the_space_shows_current_and_past_topics_with_progress(parent_client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    today = timezone.localdate()
    old_topic = TopicFactory(title="Shapes at home")
    ActivityFactory(topic=old_topic)
    AssignmentFactory(
        topic=old_topic,
        school_class=family.school_class,
        starts_on=today - timedelta(days=30),
        due_on=today - timedelta(days=20),
    )

    html = page_html(
        parent_client.get(_space_url(family)),
        "Amara's space",
        "To do now",
        "Minibeasts",
        "1 of 2 activities done",
        "Earlier topics",
        "Shapes at home",
        "0 of 1 activity done",
    )

    assert html.index("Minibeasts") < html.index("Earlier topics") < html.index("Shapes at home")
    assert f'href="{_assignment_url(family)}"' in html


def test_the_space_hides_topics_not_started_and_those_of_other_classes(parent_client, family):
    today = timezone.localdate()
    AssignmentFactory(
        topic=TopicFactory(title="Next week's topic"),
        school_class=family.school_class,
        starts_on=today + timedelta(days=1),
    )
    AssignmentFactory(
        topic=TopicFactory(title="Another class's topic"),
        school_class=SchoolClassFactory(school=family.school),
    )

    html = page_html(parent_client.get(_space_url(family)))

    assert "Next week" not in html
    assert "Another class" not in html


def test_the_space_shows_the_childs_awards(parent_client, family):
    Award.objects.create(pupil=family.pupil, kind=Award.Kind.FIRST_ACTIVITY)
    other_child = PupilFactory(school=family.school, school_class=family.school_class)
    Award.objects.create(pupil=other_child, kind=Award.Kind.FIVE_ACTIVITIES)

    html = page_html(parent_client.get(_space_url(family)), "Awards", "First activity")

    assert "Five activities" not in html


def test_a_parent_of_several_children_switches_between_them_in_one_tap(parent_client, family):
    sibling = PupilFactory(first_name="Ben", school=family.school)
    GuardianshipFactory(parent=family.parent, pupil=sibling)

    html = page_html(parent_client.get(_space_url(family)))

    assert 'aria-label="Your children"' in html
    assert f'<a href="{_space_url(family)}" aria-current="page">Amara</a>' in html
    assert f'<a href="{_space_url(family, sibling)}">Ben</a>' in html
    page_html(parent_client.get(_space_url(family, sibling)), "Ben's space")


def test_a_parent_of_one_child_sees_no_switcher(parent_client, family):
    assert 'aria-label="Your children"' not in page_html(parent_client.get(_space_url(family)))


def test_a_child_the_school_removed_stays_visible_to_the_parent_read_only(parent_client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    page_html(parent_client.get(_space_url(family)), "no longer lists Amara", "Minibeasts")
    html = page_html(parent_client.get(_assignment_url(family)), "can be read but not changed")

    assert "We did this" not in html
    assert "Save feedback" not in html
    response = parent_client.post(
        _action_url(family, "learning:child_activity_done", family.activities[1])
    )
    assert response.status_code == 403
    assert Completion.objects.count() == 1


@pytest.mark.parametrize("who", ["stranger", "unconfirmed", "ended", "teacher", "admin"])
def test_nobody_but_the_childs_parent_opens_the_space(client, family, who):
    if who in ("teacher", "admin"):
        user = getattr(family, who)
    else:
        user = UserFactory()
        if who == "stranger":
            GuardianshipFactory(parent=user)
        else:
            guardianship = GuardianshipFactory(parent=user, pupil=family.pupil)
            if who == "unconfirmed":
                guardianship.confirmed_at = None
            else:
                guardianship.ended_at = timezone.now()
            guardianship.save()
    if who in ("teacher", "admin"):
        sign_in_verified(client, user)
    else:
        client.force_login(user)

    assert client.get(_space_url(family)).status_code == 404
    assert client.get(_assignment_url(family)).status_code == 404
    response = client.post(
        _action_url(family, "learning:child_activity_done", family.activities[0])
    )
    assert response.status_code == 404
    assert not Completion.objects.exists()


def test_the_space_asks_a_visitor_to_sign_in(client, family):
    response = client.get(_space_url(family))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- A topic's page -----------------------------------------------------------------


def test_the_topic_page_shows_each_activity_with_its_content(parent_client, family):
    topic = family.topic
    ActivityFactory(topic=topic, title="Read together", instructions="Read **slowly**.")
    ActivityFactory(
        topic=topic,
        title="Watch",
        kind=Activity.Kind.VIDEO,
        video_url="https://youtu.be/dQw4w9WgXcQ",
        instructions="",
    )
    game = ActivityFactory(
        topic=topic,
        title="Play",
        kind=Activity.Kind.GAME,
        game_url="https://games.example.org/bugs",
        instructions="<script>alert(1)</script>",
    )

    html = page_html(
        parent_client.get(_assignment_url(family)),
        "Minibeasts",
        "Read <strong>slowly</strong>.",
        "Play the video",
        f'href="{reverse("engagement:game_open", args=[game.pk])}?pupil=',
        "&lt;script&gt;",
    )

    assert "<script>alert" not in html
    assert "<iframe" not in html  # the player loads only on its own page, by choice
    video = topic.activities.get(title="Watch")
    assert reverse("learning:activity_video", args=[topic.pk, video.pk]) in html
    assert html.count("We did this") == 5
    assert game.title in html


def test_the_parent_can_play_a_video_and_open_an_uploaded_one(parent_client, family):
    video = ActivityFactory(
        topic=family.topic, kind=Activity.Kind.VIDEO, video_url="https://youtu.be/dQw4w9WgXcQ"
    )

    response = parent_client.get(
        reverse("learning:activity_video", args=[family.topic.pk, video.pk])
    )

    assert response.status_code == 200
    assert "youtube-nocookie.com" in response.content.decode()


def test_opening_the_topic_page_records_that_the_parent_opened_it_once_a_day(parent_client, family):
    parent_client.get(_assignment_url(family))
    parent_client.get(_assignment_url(family))

    assert list(
        Event.objects.filter(kind=Event.Kind.ASSIGNMENT_OPENED).values_list(
            "actor", "pupil", "subject", "school"
        )
    ) == [
        (family.parent.pk, family.pupil.pk, f"assignment:{family.assignment.pk}", family.school.pk)
    ]


def test_a_topic_not_set_for_the_child_is_not_found(parent_client, family):
    elsewhere = AssignmentFactory(school_class=SchoolClassFactory(school=family.school))
    upcoming = AssignmentFactory(
        school_class=family.school_class, starts_on=timezone.localdate() + timedelta(days=2)
    )

    for assignment in (elsewhere, upcoming):
        assert parent_client.get(_assignment_url(family, assignment)).status_code == 404
    assert not Event.objects.filter(kind=Event.Kind.ASSIGNMENT_OPENED).exists()


def test_we_did_this_marks_the_activity_done_and_opens_the_feedback_form(parent_client, family):
    activity = family.activities[0]

    response = parent_client.post(_action_url(family, "learning:child_activity_done", activity))

    assert response.status_code == 302
    assert response["Location"] == f"{_assignment_url(family)}#confirmation-{activity.pk}"
    assert Completion.objects.get().completed_by == family.parent
    html = page_html(parent_client.get(_assignment_url(family)), "1 of 2 activities done", "Done")
    # The confirmation is on the activity, not in the status area at the top of the page.
    card = html[html.index(f'id="activity-{activity.pk}"') :]
    card = card[: card.index("</li>")]
    assert re.search(
        rf'<p class="message message-success confirmation" id="confirmation-{activity.pk}" '
        r'role="status" tabindex="-1" data-confirmation>Well done! “Bug hunt 1” is marked as done.',
        card,
    )
    assert 'class="messages"' not in html
    assert html.count(">We did this<") == 1  # the other activity's button
    assert "Undo “We did this”" in html
    assert "How did it go?" in html
    assert "Comment for the teacher" in html
    assert 'type="file"' in html


def test_an_activity_of_another_topic_cannot_be_marked_done_here(parent_client, family):
    stray = ActivityFactory()

    response = parent_client.post(_action_url(family, "learning:child_activity_done", stray))

    assert response.status_code == 404
    assert not Completion.objects.exists()


def _feedback_data(activity, **fields):
    prefix = f"activity-{activity.pk}"
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def test_the_parent_rates_comments_and_shares_a_photo(parent_client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)

    response = parent_client.post(
        _action_url(family, "learning:child_activity_feedback", activity),
        _feedback_data(activity, rating="5", comment="We found 12 woodlice!", photo=photo_upload()),
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment, feedback.parent) == (
        5,
        "We found 12 woodlice!",
        family.parent,
    )
    assert feedback.photo.name.startswith("photos/")
    html = page_html(
        parent_client.get(_assignment_url(family)),
        "You rated it 5 out of 5.",
        "We found 12 woodlice!",
        reverse("learning:feedback_photo", args=[feedback.pk]),
        "Remove my feedback",
    )
    assert re.search(r'value="5" id="[^"]+" checked', html)  # the saved rating is chosen


def test_a_moderated_schools_parent_is_told_their_comment_waits_for_approval(client):
    family = family_world(moderate=True)
    client.force_login(family.parent)
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)

    response = client.post(
        _action_url(family, "learning:child_activity_feedback", activity),
        _feedback_data(activity, comment="Look at this"),
        follow=True,
    )

    page_html(response, "once a member of staff approves them", "Waiting for the school to approve")


def test_empty_feedback_is_refused_on_the_form(parent_client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)

    response = parent_client.post(
        _action_url(family, "learning:child_activity_feedback", activity),
        _feedback_data(activity, rating="", comment=" "),
    )

    page_html(response, "Choose a rating, write a comment or add a photo.")
    assert not Feedback.objects.exists()


def test_a_parent_never_sees_the_other_parents_feedback(parent_client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.other_parent)
    theirs = feedback_save(
        pupil=family.pupil,
        activity=activity,
        actor=family.other_parent,
        rating=1,
        comment="Private thoughts of Sam",
        photo=prepared_photo(),
    )

    html = page_html(parent_client.get(_assignment_url(family)), "Done")

    assert "Private thoughts of Sam" not in html
    assert reverse("learning:feedback_photo", args=[theirs.pk]) not in html
    assert "You rated it" not in html
    assert (
        parent_client.get(reverse("learning:feedback_photo", args=[theirs.pk])).status_code == 404
    )


def test_the_parent_removes_their_feedback_from_the_page(parent_client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=2, comment="Meh"
    )

    response = parent_client.post(
        _action_url(family, "learning:child_activity_feedback_remove", activity), follow=True
    )

    html = page_html(response, "Your feedback on “Bug hunt 1” is removed.")
    assert "Meh" not in html
    assert Feedback.objects.get().removed_at is not None


def test_removing_feedback_that_is_not_there_is_not_found(parent_client, family):
    response = parent_client.post(
        _action_url(family, "learning:child_activity_feedback_remove", family.activities[0])
    )

    assert response.status_code == 404


def test_a_parent_of_another_school_cannot_post_feedback_for_this_child(client, family):
    outsider = UserFactory()
    GuardianshipFactory(parent=outsider, pupil=PupilFactory(school=SchoolFactory()))
    client.force_login(outsider)
    activity = family.activities[0]

    response = client.post(
        _action_url(family, "learning:child_activity_feedback", activity),
        _feedback_data(activity, rating="5"),
    )

    assert response.status_code == 404
    assert not Feedback.objects.exists()
