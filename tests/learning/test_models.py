"""Database constraints on topics, activities, assignments, completions, feedback and awards
hold below the forms and services."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.files import private_storage
from learning.models import Activity, Assignment, Award, Completion, Feedback, Subject, Topic
from schools.models import YearGroup
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    PupilFactory,
    SchoolClassFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_topic_whose_year_groups_run_backwards_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(year_group_min=YearGroup.Y4, year_group_max=YearGroup.Y2)

    assert not Topic.objects.exists()


def test_a_topic_with_an_unknown_subject_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(subject="astrology")


def test_topics_for_a_year_group_are_found_by_their_range():
    infants = TopicFactory(year_group_min=YearGroup.RECEPTION, year_group_max=YearGroup.Y2)
    juniors = TopicFactory(year_group_min=YearGroup.Y3, year_group_max=YearGroup.Y6)

    year_two = Topic.objects.filter(year_group_min__lte=2, year_group_max__gte=2)

    assert list(year_two) == [infants]
    assert juniors.year_groups_display == "Year 3 to Year 6"
    assert TopicFactory(year_group_min=1, year_group_max=1).year_groups_display == "Year 1"


def test_two_activities_cannot_share_a_position_in_a_topic():
    topic = TopicFactory()
    ActivityFactory(topic=topic, position=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(topic=topic, position=1)

    assert topic.activities.count() == 1


def test_the_factory_places_each_activity_after_the_last():
    topic = TopicFactory()
    first, second = ActivityFactory(topic=topic), ActivityFactory(topic=topic)

    assert (first.position, second.position) == (1, 2)


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (Activity.Kind.VIDEO, {}),
        (
            Activity.Kind.VIDEO,
            {"video_url": "https://youtu.be/dQw4w9WgXcQ", "game_url": "https://example.org/"},
        ),
        (Activity.Kind.GAME, {}),
        (
            Activity.Kind.GAME,
            {"game_url": "https://example.org/", "video_url": "https://youtu.be/dQw4w9WgXcQ"},
        ),
        (Activity.Kind.ACTIVITY, {"game_url": "https://example.org/"}),
        (Activity.Kind.ACTIVITY, {"video_url": "https://youtu.be/dQw4w9WgXcQ"}),
    ],
)
def test_an_activity_whose_content_does_not_match_its_kind_is_refused(kind, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(kind=kind, **fields)

    assert not Activity.objects.exists()


def test_a_video_with_both_a_link_and_a_file_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            topic=TopicFactory(),
            position=1,
            kind=Activity.Kind.VIDEO,
            title="Both",
            video_url="https://vimeo.com/76979871",
            video_file="videos/abc.mp4",
        )


def test_each_kind_with_its_own_content_is_accepted():
    topic = TopicFactory()
    ActivityFactory(topic=topic, kind=Activity.Kind.VIDEO, video_url="https://vimeo.com/76979871")
    ActivityFactory(topic=topic, kind=Activity.Kind.VIDEO, video_file="videos/abc.mp4")
    ActivityFactory(topic=topic, kind=Activity.Kind.GAME, game_url="https://example.org/game")
    ActivityFactory(topic=topic, kind=Activity.Kind.ACTIVITY)

    assert topic.activities.count() == 4


def test_full_clean_names_the_field_a_kind_needs():
    activity = Activity(topic=TopicFactory(), position=1, kind=Activity.Kind.GAME, title="Snap")

    with pytest.raises(ValidationError) as caught:
        activity.full_clean()

    assert "game_url" in caught.value.message_dict


def test_a_game_link_must_be_https_and_a_video_link_youtube_or_vimeo():
    activity = Activity(
        topic=TopicFactory(),
        position=1,
        kind=Activity.Kind.GAME,
        title="Snap",
        game_url="http://example.org/game",
    )
    with pytest.raises(ValidationError) as caught:
        activity.full_clean()
    assert "game_url" in caught.value.message_dict

    activity.kind, activity.game_url = Activity.Kind.VIDEO, ""
    activity.video_url = "https://example.org/video.mp4"
    with pytest.raises(ValidationError) as caught:
        activity.full_clean()
    assert "video_url" in caught.value.message_dict


def test_an_uploaded_video_is_stored_privately_under_a_generated_name():
    activity = ActivityFactory(kind=Activity.Kind.VIDEO, video_url="https://youtu.be/dQw4w9WgXcQ")
    activity.video_url = ""
    activity.video_file.save("My holiday <script>.MP4", ContentFile(b"\x00" * 10), save=False)
    activity.save()

    activity.refresh_from_db()
    assert activity.video_file.name.startswith("videos/")
    assert activity.video_file.name.endswith(".mp4")
    assert "holiday" not in activity.video_file.name
    assert private_storage().exists(activity.video_file.name)
    with pytest.raises(NotImplementedError):
        activity.video_file.url  # noqa: B018 (private files have no public address)


def test_an_assignment_due_before_it_starts_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(starts_on=date(2026, 3, 10), due_on=date(2026, 3, 9))

    assert not Assignment.objects.exists()


def test_an_assignment_due_on_its_start_day_is_accepted():
    assignment = AssignmentFactory(starts_on=date(2026, 3, 10), due_on=date(2026, 3, 10))

    assert assignment.pk


def test_a_topic_set_twice_for_one_class_from_the_same_day_is_refused():
    school_class = SchoolClassFactory()
    topic = TopicFactory()
    AssignmentFactory(topic=topic, school_class=school_class, starts_on=date(2026, 3, 10))

    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(topic=topic, school_class=school_class, starts_on=date(2026, 3, 10))


def test_a_topic_that_has_been_set_cannot_be_deleted():
    from django.db.models import ProtectedError

    assignment = AssignmentFactory()

    with pytest.raises(ProtectedError):
        assignment.topic.delete()


def test_a_pupil_completes_an_activity_once():
    pupil, activity = PupilFactory(), ActivityFactory()
    Completion.objects.create(pupil=pupil, activity=activity)

    with pytest.raises(IntegrityError), transaction.atomic():
        Completion.objects.create(pupil=pupil, activity=activity)

    assert Completion.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_1_to_5_is_refused(rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            pupil=PupilFactory(), activity=ActivityFactory(), parent=UserFactory(), rating=rating
        )


@pytest.mark.parametrize("rating", [1, 5, None])
def test_a_rating_from_1_to_5_or_none_is_accepted(rating):
    feedback = Feedback.objects.create(
        pupil=PupilFactory(), activity=ActivityFactory(), parent=UserFactory(), rating=rating
    )

    assert feedback.moderation_status == Feedback.Moderation.PENDING


def test_a_parent_has_one_live_feedback_per_child_and_activity_but_may_start_again():
    pupil, activity, parent = PupilFactory(), ActivityFactory(), UserFactory()
    first = Feedback.objects.create(pupil=pupil, activity=activity, parent=parent, rating=4)

    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(pupil=pupil, activity=activity, parent=parent, rating=5)

    first.removed_at = timezone.now()
    first.save(update_fields=["removed_at"])
    Feedback.objects.create(pupil=pupil, activity=activity, parent=parent, rating=5)
    other_parent = UserFactory()
    Feedback.objects.create(pupil=pupil, activity=activity, parent=other_parent, rating=3)

    assert Feedback.objects.filter(pupil=pupil, removed_at__isnull=True).count() == 2


def test_an_activity_with_completions_or_feedback_cannot_be_deleted():
    from django.db.models import ProtectedError

    activity = ActivityFactory()
    Completion.objects.create(pupil=PupilFactory(), activity=activity)

    with pytest.raises(ProtectedError):
        activity.delete()


def test_an_award_is_held_once_per_pupil_and_kind():
    pupil = PupilFactory()
    Award.objects.create(pupil=pupil, kind=Award.Kind.FIRST_ACTIVITY)

    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(pupil=pupil, kind=Award.Kind.FIRST_ACTIVITY)
    Award.objects.create(pupil=pupil, kind=Award.Kind.FIVE_ACTIVITIES)

    assert pupil.awards.count() == 2


def test_an_award_of_an_unknown_kind_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(pupil=PupilFactory(), kind="best_in_class")


def test_schools_do_not_moderate_feedback_unless_they_choose_to():
    from tests.factories import SchoolFactory

    assert SchoolFactory().moderate_feedback is False
    assert Subject.MATHS.label == "Maths"
