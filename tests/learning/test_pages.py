"""The topic pages: teachers and admins browse the library and write their school's
own topics with ordered activities, in plain forms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning.models import Activity, Completion, Subject, Topic
from schools.models import YearGroup
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(school):
    return teacher_of(SchoolClassFactory(school=school))


@pytest.fixture
def signed_in(staff_client, teacher):
    return staff_client(teacher)


def _topic_data(**overrides):
    data = {
        "title": "Minibeasts",
        "summary": "Look for small creatures in the garden.",
        "subject": Subject.SCIENCE,
        "year_group_min": YearGroup.Y1,
        "year_group_max": YearGroup.Y3,
    }
    data.update(overrides)
    return data


def _activity_data(**overrides):
    data = {
        "kind": Activity.Kind.ACTIVITY,
        "title": "Bug hunt",
        "instructions": "Lift a log **gently**.",
        "video_url": "",
        "game_url": "",
    }
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------


def test_the_list_shows_the_library_and_the_schools_own_topics_only(signed_in, school):
    TopicFactory(title="Library fractions", school=None)
    TopicFactory(title="Library draft", school=None, published=False)
    TopicFactory(title="Our own draft", school=school, published=False)
    TopicFactory(title="Elsewhere topic", school=SchoolFactory())

    response = signed_in.get(reverse("learning:topic_list"))

    content = response.content.decode()
    assert "Library fractions" in content
    assert "Our own draft" in content
    assert "Library draft" not in content
    assert "Elsewhere topic" not in content


def test_the_list_filters_by_year_group_subject_and_source(signed_in, school):
    TopicFactory(title="Infant maths", subject=Subject.MATHS, year_group_min=0, year_group_max=2)
    TopicFactory(title="Junior maths", subject=Subject.MATHS, year_group_min=3, year_group_max=6)
    TopicFactory(title="Junior music", subject=Subject.MUSIC, year_group_min=3, year_group_max=6)
    TopicFactory(title="Our maths", school=school, subject=Subject.MATHS, year_group_min=4)

    def titles(**query):
        response = signed_in.get(reverse("learning:topic_list"), query)
        return {topic.title for topic in response.context["page"]}

    assert titles(year_group=4) == {"Junior maths", "Junior music", "Our maths"}
    assert titles(year_group=4, subject="maths") == {"Junior maths", "Our maths"}
    assert titles(year_group=4, subject="maths", source="school") == {"Our maths"}
    assert titles(source="library", year_group=1) == {"Infant maths"}
    assert titles(year_group="nonsense") == {
        "Infant maths",
        "Junior maths",
        "Junior music",
        "Our maths",
    }


def test_a_parent_cannot_open_the_topic_pages(client):
    parent = UserFactory()
    GuardianshipFactory(parent=parent)
    client.force_login(parent)

    assert client.get(reverse("learning:topic_list")).status_code == 403
    assert client.get(reverse("learning:topic_create")).status_code == 403


def test_teachers_and_admins_get_a_topics_link_that_is_not_an_area_of_its_own(
    signed_in, staff_client, school
):
    response = signed_in.get(reverse("accounts:home"))
    assert response.status_code == 302  # still straight to their one area, My classes

    response = signed_in.get(reverse("schools:teacher_classes"))
    assert f'href="{reverse("learning:topic_list")}"' in response.content.decode()

    school_admin_client = staff_client(admin_of(SchoolFactory()))
    response = school_admin_client.get(reverse("accounts:home"))
    assert response.status_code == 302


# --- Writing a topic --------------------------------------------------------------


def test_a_teacher_writes_a_topic_for_their_school(signed_in, school, teacher):
    response = signed_in.post(reverse("learning:topic_create"), _topic_data())

    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:topic_detail", args=[topic.pk])
    assert topic.school == school
    assert topic.created_by == teacher
    assert topic.published is False
    assert (topic.year_group_min, topic.year_group_max) == (1, 3)


def test_staff_of_two_schools_choose_whose_topic_it_is(staff_client, school, teacher):
    second = SchoolFactory()
    from accounts.models import Membership

    Membership.objects.create(user=teacher, school=second, role=Membership.Role.ADMIN)
    client = staff_client(teacher)

    page = client.get(reverse("learning:topic_create"))
    assert "school" in page.context["form"].fields
    client.post(reverse("learning:topic_create"), _topic_data(school=second.pk))
    refused = client.post(reverse("learning:topic_create"), _topic_data(school=SchoolFactory().pk))

    assert Topic.objects.get().school == second
    assert refused.status_code == 200
    assert "school" in refused.context["form"].errors


def test_year_groups_running_backwards_are_refused_with_a_message(signed_in):
    response = signed_in.post(
        reverse("learning:topic_create"), _topic_data(year_group_min=YearGroup.Y4, year_group_max=1)
    )

    assert response.status_code == 200
    assert "Choose a year group no earlier than the first." in response.content.decode()
    assert not Topic.objects.exists()


def test_a_teacher_edits_their_schools_topic(signed_in, school):
    topic = TopicFactory(school=school, published=False)

    signed_in.post(
        reverse("learning:topic_edit", args=[topic.pk]),
        _topic_data(title="Renamed", published="on"),
    )

    topic.refresh_from_db()
    assert (topic.title, topic.published) == ("Renamed", True)


def test_a_library_topic_is_read_only_to_a_school(signed_in):
    topic = TopicFactory(school=None, title="Library topic")
    activity = ActivityFactory(topic=topic)

    detail = signed_in.get(reverse("learning:topic_detail", args=[topic.pk]))
    assert "cannot be changed here" in detail.content.decode()
    assert reverse("learning:topic_edit", args=[topic.pk]) not in detail.content.decode()

    urls = [
        reverse("learning:topic_edit", args=[topic.pk]),
        reverse("learning:topic_delete", args=[topic.pk]),
        reverse("learning:activity_create", args=[topic.pk]),
        reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
        reverse("learning:activity_delete", args=[topic.pk, activity.pk]),
    ]
    for url in urls:
        assert signed_in.get(url).status_code == 404
        assert signed_in.post(url, _topic_data(title="Hijacked")).status_code == 404
    assert (
        signed_in.post(
            reverse("learning:activity_move", args=[topic.pk, activity.pk]), {"direction": "up"}
        ).status_code
        == 404
    )
    topic.refresh_from_db()
    assert topic.title == "Library topic"
    assert topic.activities.count() == 1


def test_another_schools_topic_is_a_404_everywhere(signed_in):
    topic = TopicFactory(school=SchoolFactory())
    activity = ActivityFactory(topic=topic)

    for url in [
        reverse("learning:topic_detail", args=[topic.pk]),
        reverse("learning:topic_edit", args=[topic.pk]),
        reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
        reverse("learning:activity_video_file", args=[topic.pk, activity.pk]),
    ]:
        assert signed_in.get(url).status_code == 404


def test_an_admin_of_the_school_edits_a_topic_a_teacher_wrote(staff_client, school):
    topic = TopicFactory(school=school)
    client = staff_client(admin_of(school))

    response = client.post(
        reverse("learning:topic_edit", args=[topic.pk]), _topic_data(title="Tidied")
    )

    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.title == "Tidied"


def test_a_topic_never_set_can_be_deleted_but_one_that_was_set_cannot(signed_in, school):
    unused = TopicFactory(school=school)
    ActivityFactory(topic=unused)
    used = TopicFactory(school=school)
    AssignmentFactory(topic=used, school_class=SchoolClassFactory(school=school))

    signed_in.post(reverse("learning:topic_delete", args=[unused.pk]))
    response = signed_in.post(reverse("learning:topic_delete", args=[used.pk]), follow=True)

    assert not Topic.objects.filter(pk=unused.pk).exists()
    assert Topic.objects.filter(pk=used.pk).exists()
    assert "has been set for a class" in response.content.decode()


# --- Activities -------------------------------------------------------------------


def test_activities_are_added_at_the_end_in_order(signed_in, school):
    topic = TopicFactory(school=school)
    url = reverse("learning:activity_create", args=[topic.pk])

    signed_in.post(url, _activity_data(title="First"))
    signed_in.post(
        url,
        _activity_data(
            title="Second", kind="video", video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        ),
    )
    signed_in.post(
        url, _activity_data(title="Third", kind="game", game_url="https://example.org/g")
    )

    assert list(topic.activities.order_by("position").values_list("title", "position")) == [
        ("First", 1),
        ("Second", 2),
        ("Third", 3),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "video"}, "video_url", "YouTube or Vimeo address, or upload it"),
        (
            {"kind": "video", "video_url": "https://example.org/v.mp4"},
            "video_url",
            "YouTube or Vimeo",
        ),
        ({"kind": "game"}, "game_url", "the game's address"),
        ({"kind": "game", "game_url": "http://example.org/"}, "game_url", "https://"),
    ],
)
def test_an_activity_missing_what_its_kind_needs_is_refused(
    signed_in, school, data, field, message
):
    topic = TopicFactory(school=school)

    response = signed_in.post(
        reverse("learning:activity_create", args=[topic.pk]), _activity_data(**data)
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not topic.activities.exists()


def test_switching_kind_drops_the_fields_of_the_old_kind(signed_in, school):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic, kind="game", game_url="https://example.org/g")

    signed_in.post(
        reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
        _activity_data(kind="activity", game_url="https://example.org/g"),
    )

    activity.refresh_from_db()
    assert (activity.kind, activity.game_url) == ("activity", "")


def test_an_uploaded_video_is_kept_privately_and_replaced_by_an_address(
    signed_in, school, private_folder, django_capture_on_commit_callbacks
):
    topic = TopicFactory(school=school)
    upload = SimpleUploadedFile("Our trip.MP4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")

    signed_in.post(
        reverse("learning:activity_create", args=[topic.pk]),
        _activity_data(kind="video", title="Trip", video_file=upload),
    )
    activity = topic.activities.get()
    stored = private_folder / activity.video_file.name
    assert activity.video_file.name.startswith("videos/") and stored.exists()
    assert "trip" not in activity.video_file.name.lower()

    # Editing the title keeps the file; giving an address replaces it.
    signed_in.post(
        reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
        _activity_data(kind="video", title="Our trip"),
    )
    activity.refresh_from_db()
    assert activity.video_file and stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
            _activity_data(kind="video", title="Our trip", video_url="https://vimeo.com/76979871"),
        )
    activity.refresh_from_db()
    assert not activity.video_file
    assert activity.video_url == "https://vimeo.com/76979871"
    assert not stored.exists()


def test_a_video_upload_that_is_not_a_video_file_is_refused(signed_in, school):
    topic = TopicFactory(school=school)
    upload = SimpleUploadedFile("notes.html", b"<script>alert(1)</script>", "text/html")

    response = signed_in.post(
        reverse("learning:activity_create", args=[topic.pk]),
        _activity_data(kind="video", video_file=upload),
    )

    assert response.status_code == 200
    assert "Upload an MP4, WebM or MOV video file." in response.content.decode()


def test_a_video_larger_than_the_limit_is_refused(signed_in, school, settings):
    settings.LEARNING_VIDEO_MAX_BYTES = 10
    topic = TopicFactory(school=school)
    upload = SimpleUploadedFile("clip.mp4", b"\x00" * 11, "video/mp4")

    response = signed_in.post(
        reverse("learning:activity_create", args=[topic.pk]),
        _activity_data(kind="video", video_file=upload),
    )

    assert "The video is too large" in response.content.decode()
    assert not topic.activities.exists()


def test_activities_move_up_and_down(signed_in, school):
    topic = TopicFactory(school=school)
    first, second, third = (ActivityFactory(topic=topic, title=t) for t in ("A", "B", "C"))

    def order():
        return list(topic.activities.order_by("position").values_list("title", flat=True))

    signed_in.post(
        reverse("learning:activity_move", args=[topic.pk, third.pk]), {"direction": "up"}
    )
    assert order() == ["A", "C", "B"]
    signed_in.post(
        reverse("learning:activity_move", args=[topic.pk, first.pk]), {"direction": "down"}
    )
    assert order() == ["C", "A", "B"]
    signed_in.post(
        reverse("learning:activity_move", args=[topic.pk, third.pk]), {"direction": "up"}
    )
    assert order() == ["C", "A", "B"]  # already first
    assert (
        signed_in.get(reverse("learning:activity_move", args=[topic.pk, second.pk])).status_code
        == 405
    )


def test_an_activity_is_deleted_unless_families_have_done_it(signed_in, school):
    topic = TopicFactory(school=school)
    unused, done = ActivityFactory(topic=topic), ActivityFactory(topic=topic)
    Completion.objects.create(pupil=PupilFactory(school=school), activity=done)

    signed_in.post(reverse("learning:activity_delete", args=[topic.pk, unused.pk]))
    response = signed_in.post(
        reverse("learning:activity_delete", args=[topic.pk, done.pk]), follow=True
    )

    assert list(topic.activities.all()) == [done]
    assert "Families have done or commented on this activity" in response.content.decode()


# --- Showing activities -----------------------------------------------------------


def test_the_topic_page_renders_instructions_safely(signed_in, school):
    topic = TopicFactory(school=school)
    ActivityFactory(
        topic=topic,
        instructions='**Go!** <script>alert(1)</script> <img src=x onerror="alert(1)"> '
        "[bad](javascript:alert(1)) [good](https://example.org/)",
    )

    content = signed_in.get(reverse("learning:topic_detail", args=[topic.pk])).content.decode()

    assert "<strong>Go!</strong>" in content
    assert "<script>alert" not in content
    assert "<img src=x" not in content
    assert 'href="javascript' not in content
    assert '<a href="https://example.org/" rel="noopener noreferrer">good</a>' in content


def test_a_linked_video_is_a_placeholder_until_chosen_and_plays_privately(signed_in, school):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(
        topic=topic, kind="video", video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )

    detail = signed_in.get(reverse("learning:topic_detail", args=[topic.pk]))
    content = detail.content.decode()
    assert "<iframe" not in content
    assert "youtube.com" not in content
    assert "youtube-nocookie" not in content
    assert "frame-src 'none'" in detail["Content-Security-Policy"]
    play_url = reverse("learning:activity_video", args=[topic.pk, activity.pk])
    assert f'href="{play_url}"' in content

    played = signed_in.get(play_url)
    assert (
        'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0"' in played.content.decode()
    )
    assert 'referrerpolicy="strict-origin-when-cross-origin"' in played.content.decode()
    assert (
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
        in played["Content-Security-Policy"]
    )


def test_a_vimeo_video_plays_with_do_not_track(signed_in, school):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic, kind="video", video_url="https://vimeo.com/76979871")

    played = signed_in.get(reverse("learning:activity_video", args=[topic.pk, activity.pk]))

    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in played.content.decode()


def test_an_uploaded_video_is_served_only_to_those_who_may_see_its_topic(
    staff_client, client, school, teacher
):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic, kind="video", video_file="videos/x.mp4")
    activity.video_file.storage.save("videos/x.mp4", SimpleUploadedFile("x", b"movie"))
    url = reverse("learning:activity_video_file", args=[topic.pk, activity.pk])

    assert b"".join(staff_client(teacher).get(url).streaming_content) == b"movie"
    client.logout()
    assert staff_client(teacher_of(SchoolClassFactory())).get(url).status_code == 404
    client.logout()
    parent = UserFactory()
    pupil = PupilFactory(school=school)
    GuardianshipFactory(parent=parent, pupil=pupil)
    client.force_login(parent)
    assert client.get(url).status_code == 404
    AssignmentFactory(topic=topic, school_class=pupil.school_class)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_a_game_opens_its_https_address_in_a_new_tab_and_says_so(signed_in, school):
    topic = TopicFactory(school=school)
    ActivityFactory(topic=topic, kind="game", game_url="https://example.org/game?level=1&x=2")

    content = signed_in.get(reverse("learning:topic_detail", args=[topic.pk])).content.decode()

    assert (
        'href="https://example.org/game?level=1&amp;x=2" target="_blank" rel="noopener noreferrer"'
        in content
    )
    assert "(opens in a new tab)</a>" in content


def test_an_uploaded_video_plays_on_its_page_from_the_portal_itself(signed_in, school):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic, kind="video", video_file="videos/x.mp4")

    response = signed_in.get(reverse("learning:activity_video", args=[topic.pk, activity.pk]))

    file_url = reverse("learning:activity_video_file", args=[topic.pk, activity.pk])
    assert f'<video class="video-frame" controls preload="metadata" src="{file_url}">' in (
        response.content.decode()
    )
    assert "<iframe" not in response.content.decode()


def test_an_activity_without_a_video_has_no_video_page(signed_in, school):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic)

    assert (
        signed_in.get(reverse("learning:activity_video", args=[topic.pk, activity.pk])).status_code
        == 404
    )
    assert (
        signed_in.get(
            reverse("learning:activity_video_file", args=[topic.pk, activity.pk])
        ).status_code
        == 404
    )


def test_an_activity_addressed_through_another_topic_is_a_404(signed_in, school):
    mine = TopicFactory(school=school)
    library_activity = ActivityFactory(topic=TopicFactory(school=None), title="Library step")

    url = reverse("learning:activity_edit", args=[mine.pk, library_activity.pk])
    assert signed_in.get(url).status_code == 404
    assert signed_in.post(url, _activity_data(title="Changed")).status_code == 404
    library_activity.refresh_from_db()
    assert library_activity.title == "Library step"
