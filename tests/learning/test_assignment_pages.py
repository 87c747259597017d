"""The pages where a teacher sets a topic, follows each family, and changes or
withdraws work not yet started; who may see them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import Event
from learning.models import Assignment, Completion
from learning.services import school_today
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
def robins(school):
    return SchoolClassFactory(school=school, name="Robins")


@pytest.fixture
def wrens(school):
    return SchoolClassFactory(school=school, name="Wrens")


@pytest.fixture
def teacher(robins, wrens):
    teacher = teacher_of(robins, first_name="Ada", last_name="Lovelace")
    wrens.teachers.add(teacher)
    return teacher


def _dates(start=1, days=7):
    starts_on = school_today() + timedelta(days=start)
    return {"starts_on": starts_on.isoformat(), "due_on": (starts_on + timedelta(days)).isoformat()}


def _content(response) -> str:
    return response.content.decode()


# --- Setting a topic ------------------------------------------------------------


def test_the_topic_page_offers_to_set_a_published_topic(staff_client, teacher, school):
    client = staff_client(teacher)
    published, draft = TopicFactory(), TopicFactory(school=school, published=False)

    set_url = reverse("learning:assignment_create", args=[published.pk])
    assert set_url in _content(client.get(reverse("learning:topic_detail", args=[published.pk])))
    draft_page = _content(client.get(reverse("learning:topic_detail", args=[draft.pk])))
    assert reverse("learning:assignment_create", args=[draft.pk]) not in draft_page


def test_the_set_form_lists_only_the_teachers_classes_as_labelled_checkboxes(
    staff_client, teacher, school
):
    SchoolClassFactory(school=school, name="Owls")
    topic = TopicFactory(title="Shapes")

    response = staff_client(teacher).get(reverse("learning:assignment_create", args=[topic.pk]))

    page = _content(response)
    assert response.status_code == 200
    assert "<h1>Set “Shapes”</h1>" in page
    assert "<legend>Classes</legend>" in page
    assert page.count('type="checkbox" name="school_classes"') == 2
    assert "Robins (Year 3)" in page and "Wrens (Year 3)" in page
    assert "Owls" not in page
    assert '<label for="id_starts_on">Start date' in page
    assert '<label for="id_due_on">Due date' in page
    assert '<label for="id_message">Message to families (optional)' in page


def test_a_class_named_after_its_year_group_is_not_labelled_twice(staff_client, teacher, school):
    year_three = SchoolClassFactory(school=school, name="Year 3", year_group=3)
    year_three.teachers.add(teacher)

    page = _content(
        staff_client(teacher).get(reverse("learning:assignment_create", args=[TopicFactory().pk]))
    )

    assert "Year 3 (Year 3)" not in page
    assert f'value="{year_three.pk}"' in page
    assert "Robins (Year 3)" in page


def test_setting_a_topic_for_two_classes_writes_one_assignment_each(
    staff_client, teacher, robins, wrens
):
    topic = TopicFactory(title="Shapes")

    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[topic.pk]),
        {"school_classes": [robins.pk, wrens.pk], "message": "Enjoy!", **_dates()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("learning:assignment_list")
    assert "“Shapes” set for Robins, Wrens." in _content(response)
    assert set(Assignment.objects.values_list("school_class__name", "message")) == {
        ("Robins", "Enjoy!"),
        ("Wrens", "Enjoy!"),
    }


def test_setting_for_one_class_goes_to_its_page(staff_client, teacher, robins):
    topic = TopicFactory()

    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[topic.pk]),
        {"school_classes": [robins.pk], **_dates()},
    )

    assignment = Assignment.objects.get()
    assert response["Location"] == reverse("learning:assignment_detail", args=[assignment.pk])


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"school_classes": []}, "school_classes", "Choose at least one class."),
        ({"starts_on": "next week"}, "starts_on", "Give a real date."),
        ({"due_on": ""}, "due_on", "Give a due date."),
        (
            {"starts_on": (school_today() - timedelta(days=2)).isoformat()},
            "starts_on",
            "The start date cannot be in the past.",
        ),
        ({"message": "x" * 1001}, "message", "at most 1000 characters"),
    ],
)
def test_a_form_with_mistakes_says_what_to_fix_and_writes_nothing(
    staff_client, teacher, robins, data, field, error
):
    topic = TopicFactory()
    form = {"school_classes": [robins.pk], **_dates(), **data}

    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[topic.pk]), form
    )

    assert response.status_code == 200
    page = _content(response)
    assert "Nothing was set" in page
    assert error in page
    assert f'href="#id_{field}"' in page
    assert not Assignment.objects.exists()


def test_a_due_date_before_the_start_is_refused(staff_client, teacher, robins):
    topic = TopicFactory()
    starts_on = school_today() + timedelta(days=3)

    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[topic.pk]),
        {
            "school_classes": [robins.pk],
            "starts_on": starts_on.isoformat(),
            "due_on": (starts_on - timedelta(days=1)).isoformat(),
        },
    )

    assert "The due date must be on or after the start date." in _content(response)
    assert not Assignment.objects.exists()


def test_another_schools_class_posted_by_hand_is_a_form_error(staff_client, teacher, robins):
    elsewhere = SchoolClassFactory(name="Elsewhere")
    topic = TopicFactory()

    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[topic.pk]),
        {"school_classes": [robins.pk, elsewhere.pk], **_dates()},
    )

    assert response.status_code == 200
    assert "Choose from the classes listed." in _content(response)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("value", ["robins", "99999999999999999999999"])
def test_a_class_that_is_not_a_number_is_a_form_error(staff_client, teacher, value):
    response = staff_client(teacher).post(
        reverse("learning:assignment_create", args=[TopicFactory().pk]),
        {"school_classes": [value], **_dates()},
    )

    assert response.status_code == 200
    assert "Choose from the classes listed." in _content(response)


def test_setting_the_same_topic_twice_from_one_day_is_a_clear_error(
    staff_client, teacher, robins, wrens
):
    topic = TopicFactory()
    client = staff_client(teacher)
    dates = _dates()
    url = reverse("learning:assignment_create", args=[topic.pk])
    client.post(url, {"school_classes": [robins.pk], **dates})

    response = client.post(url, {"school_classes": [robins.pk, wrens.pk], **dates})

    assert response.status_code == 200
    assert "Robins already has this topic from" in _content(response)
    assert Assignment.objects.count() == 1


def test_another_schools_topic_cannot_be_set(staff_client, teacher):
    foreign = TopicFactory(school=SchoolFactory())

    response = staff_client(teacher).get(reverse("learning:assignment_create", args=[foreign.pk]))

    assert response.status_code == 404


def test_a_draft_topic_page_says_it_cannot_be_set_yet(staff_client, teacher, school, robins):
    draft = TopicFactory(school=school, published=False)
    client = staff_client(teacher)
    url = reverse("learning:assignment_create", args=[draft.pk])

    page = _content(client.get(url))
    response = client.post(url, {"school_classes": [robins.pk], **_dates()})

    assert "This topic is a draft, so it cannot be set for a class yet." in page
    assert 'name="school_classes"' not in page
    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_a_teacher_without_classes_is_told_so(staff_client, school):
    teacher = UserFactory()
    teacher.memberships.create(school=school, role="teacher")

    page = _content(
        staff_client(teacher).get(reverse("learning:assignment_create", args=[TopicFactory().pk]))
    )

    assert "You have no class to set this topic for." in page


def test_an_admin_can_set_work_for_any_class_of_their_school(staff_client, school, robins, wrens):
    admin = admin_of(school)

    staff_client(admin).post(
        reverse("learning:assignment_create", args=[TopicFactory().pk]),
        {"school_classes": [robins.pk, wrens.pk], **_dates()},
    )

    assert Assignment.objects.count() == 2


def test_a_school_topic_is_offered_only_to_that_schools_classes(staff_client, school, robins):
    admin = admin_of(school)
    other_school = SchoolFactory()
    other_class = SchoolClassFactory(school=other_school, name="Faraway")
    admin.memberships.create(school=other_school, role="admin")

    page = _content(
        staff_client(admin).get(
            reverse("learning:assignment_create", args=[TopicFactory(school=school).pk])
        )
    )

    assert "Robins" in page
    assert other_class.name not in page


def test_parents_and_strangers_cannot_reach_the_pages(client, robins):
    parent = GuardianshipFactory(pupil=PupilFactory(school=robins.school, school_class=robins))
    assignment = AssignmentFactory(school_class=robins)
    client.force_login(parent.parent)

    for url in (
        reverse("learning:assignment_create", args=[assignment.topic_id]),
        reverse("learning:assignment_list"),
        reverse("learning:assignment_detail", args=[assignment.pk]),
        reverse("learning:assignment_edit", args=[assignment.pk]),
        reverse("learning:assignment_delete", args=[assignment.pk]),
    ):
        assert client.get(url).status_code == 404, url


# --- Following families -----------------------------------------------------------


def test_a_teacher_sees_the_work_set_for_their_classes_only(staff_client, teacher, robins, school):
    mine = AssignmentFactory(school_class=robins, topic=TopicFactory(title="Mine"))
    AssignmentFactory(
        school_class=SchoolClassFactory(school=school), topic=TopicFactory(title="Colleagues")
    )
    AssignmentFactory(topic=TopicFactory(title="Another school"))

    page = _content(staff_client(teacher).get(reverse("learning:assignment_list")))

    assert reverse("learning:assignment_detail", args=[mine.pk]) in page
    assert "Mine for Robins" in page
    assert "Colleagues" not in page and "Another school" not in page


def test_an_admin_sees_all_of_their_schools_work_and_no_other(staff_client, school, robins):
    AssignmentFactory(school_class=robins, topic=TopicFactory(title="Ours"))
    AssignmentFactory(topic=TopicFactory(title="Theirs"))

    page = _content(staff_client(admin_of(school)).get(reverse("learning:assignment_list")))

    assert "Ours for Robins" in page
    assert "Theirs" not in page


def test_another_teacher_or_schools_admin_gets_a_404_for_the_assignment(staff_client, robins):
    assignment = AssignmentFactory(school_class=robins)
    colleague = teacher_of(SchoolClassFactory(school=robins.school))
    other_admin = admin_of(SchoolFactory())

    for user in (colleague, other_admin):
        client = staff_client(user)
        for name in (
            "learning:assignment_detail",
            "learning:assignment_edit",
            "learning:assignment_delete",
        ):
            assert client.get(reverse(name, args=[assignment.pk])).status_code == 404


@pytest.fixture
def class_progress(robins):
    """Amy has done everything, Ben one of two activities, Cat only opened it, Dan
    nothing (and has no parent on the portal); Evangeline has left the school."""
    TopicFactory.create_batch(2)  # so that the topic's id is not the assignment's
    topic = TopicFactory(title="Minibeasts")
    first, second = ActivityFactory(topic=topic), ActivityFactory(topic=topic)
    assignment = AssignmentFactory(school_class=robins, topic=topic)
    pupils = {}
    for name in ("Amy", "Ben", "Cat", "Dan"):
        pupils[name] = PupilFactory(
            school=robins.school, school_class=robins, first_name=name, last_name="Smith"
        )
    PupilFactory(
        school=robins.school,
        school_class=robins,
        first_name="Evangeline",
        removed_by_school_at=timezone.now(),
    )
    for name in ("Amy", "Ben", "Cat"):
        GuardianshipFactory(
            pupil=pupils[name],
            parent=UserFactory(first_name=f"Parent-of-{name}", last_name="Smith"),
        )
    GuardianshipFactory(
        pupil=pupils["Dan"], parent=UserFactory(first_name="Invited"), confirmed_at=None
    )
    Completion.objects.create(pupil=pupils["Amy"], activity=first)
    Completion.objects.create(pupil=pupils["Amy"], activity=second)
    Completion.objects.create(pupil=pupils["Ben"], activity=first)
    Event.objects.create(
        kind=Event.Kind.ASSIGNMENT_OPENED,
        school=robins.school,
        pupil=pupils["Cat"],
        subject=f"assignment:{assignment.pk}",
    )
    # Opening other work, or this work for another pupil, is not opening this.
    Event.objects.create(
        kind=Event.Kind.ASSIGNMENT_OPENED,
        school=robins.school,
        pupil=pupils["Dan"],
        subject=f"assignment:{assignment.pk + 1000}",
    )
    return assignment


def _rows(response):
    return {pupil.first_name: pupil.family_status for pupil in response.context["families"]}


def test_each_family_is_shown_as_completed_started_or_not_opened(
    staff_client, teacher, class_progress
):
    response = staff_client(teacher).get(
        reverse("learning:assignment_detail", args=[class_progress.pk])
    )

    assert _rows(response) == {
        "Amy": "completed",
        "Ben": "started",
        "Cat": "started",
        "Dan": "not_opened",
    }
    assert [(item["label"], item["count"]) for item in response.context["statuses"]] == [
        ("Not opened", 1),
        ("Started", 2),
        ("Completed", 1),
    ]
    page = _content(response)
    assert "Parent-of-Amy Smith" in page
    assert "No parent has joined yet" in page  # Dan's parent was only invited
    assert "Invited" not in page
    assert "Evangeline" not in page
    assert "2 of 2" in page and "1 of 2" in page


def test_the_families_can_be_shown_by_status(staff_client, teacher, class_progress):
    url = reverse("learning:assignment_detail", args=[class_progress.pk])
    client = staff_client(teacher)

    assert set(_rows(client.get(url, {"status": "started"}))) == {"Ben", "Cat"}
    assert set(_rows(client.get(url, {"status": "completed"}))) == {"Amy"}
    assert set(_rows(client.get(url, {"status": "nonsense"}))) == {"Amy", "Ben", "Cat", "Dan"}


def test_the_list_counts_families_by_status_for_each_piece_of_work(
    staff_client, teacher, class_progress, robins, wrens
):
    later = AssignmentFactory(
        school_class=robins,
        topic=TopicFactory(title="Fractions"),
        starts_on=class_progress.starts_on + timedelta(days=1),
    )
    ActivityFactory(topic=later.topic)
    for_wrens = AssignmentFactory(school_class=wrens, topic=class_progress.topic)
    PupilFactory(school=wrens.school, school_class=wrens)

    response = staff_client(teacher).get(reverse("learning:assignment_list"))

    counts = {
        assignment.pk: (
            assignment.not_opened_count,
            assignment.started_count,
            assignment.completed_count,
        )
        for assignment in response.context["page"]
    }
    assert counts == {
        class_progress.pk: (1, 2, 1),
        later.pk: (4, 0, 0),
        for_wrens.pk: (1, 0, 0),
    }


def test_a_topic_without_activities_is_completed_by_nobody(staff_client, teacher, robins):
    assignment = AssignmentFactory(school_class=robins)
    PupilFactory(school=robins.school, school_class=robins)

    response = staff_client(teacher).get(
        reverse("learning:assignment_detail", args=[assignment.pk])
    )

    assert list(_rows(response).values()) == ["not_opened"]


# --- Changing and withdrawing -------------------------------------------------------


def test_work_not_started_can_be_changed_from_its_page(staff_client, teacher, robins):
    assignment = AssignmentFactory(
        school_class=robins, starts_on=school_today() + timedelta(days=3)
    )
    client = staff_client(teacher)
    detail = _content(client.get(reverse("learning:assignment_detail", args=[assignment.pk])))
    assert reverse("learning:assignment_edit", args=[assignment.pk]) in detail

    response = client.post(
        reverse("learning:assignment_edit", args=[assignment.pk]),
        {**_dates(start=4, days=10), "message": "New words"},
    )

    assert response["Location"] == reverse("learning:assignment_detail", args=[assignment.pk])
    assignment.refresh_from_db()
    assert assignment.starts_on == school_today() + timedelta(days=4)
    assert assignment.message == "New words"


def test_changing_with_a_due_date_before_the_start_says_so(staff_client, teacher, robins):
    assignment = AssignmentFactory(
        school_class=robins, starts_on=school_today() + timedelta(days=3)
    )

    response = staff_client(teacher).post(
        reverse("learning:assignment_edit", args=[assignment.pk]), _dates(start=4, days=-2)
    )

    assert response.status_code == 200
    assert "Nothing was changed" in _content(response)
    assignment.refresh_from_db()
    assert assignment.starts_on == school_today() + timedelta(days=3)


def test_work_not_started_can_be_withdrawn(staff_client, teacher, robins):
    assignment = AssignmentFactory(
        school_class=robins, starts_on=school_today() + timedelta(days=3)
    )
    client = staff_client(teacher)

    confirm = client.get(reverse("learning:assignment_delete", args=[assignment.pk]))
    response = client.post(reverse("learning:assignment_delete", args=[assignment.pk]))

    assert "Withdraw" in _content(confirm)
    assert response["Location"] == reverse("learning:assignment_list")
    assert not Assignment.objects.exists()


def test_started_work_can_be_neither_changed_nor_withdrawn_from_the_pages(
    staff_client, teacher, robins
):
    assignment = AssignmentFactory(school_class=robins, starts_on=school_today())
    client = staff_client(teacher)

    detail = _content(client.get(reverse("learning:assignment_detail", args=[assignment.pk])))
    edit = client.post(reverse("learning:assignment_edit", args=[assignment.pk]), _dates(start=2))
    delete = client.post(reverse("learning:assignment_delete", args=[assignment.pk]), follow=True)

    assert reverse("learning:assignment_edit", args=[assignment.pk]) not in detail
    assert edit.status_code == 302
    assert "can no longer be withdrawn" in _content(delete)
    assignment.refresh_from_db()
    assert assignment.starts_on == school_today()


def test_started_work_links_to_what_families_said_and_work_to_come_does_not(
    staff_client, teacher, robins
):
    started = AssignmentFactory(school_class=robins, starts_on=school_today())
    to_come = AssignmentFactory(school_class=robins, starts_on=school_today() + timedelta(days=3))
    client = staff_client(teacher)

    started_page = _content(client.get(reverse("learning:assignment_detail", args=[started.pk])))
    to_come_page = _content(client.get(reverse("learning:assignment_detail", args=[to_come.pk])))

    assert reverse("learning:assignment_feedback", args=[started.pk]) in started_page
    assert "Ratings, comments and photos" in started_page
    assert reverse("learning:assignment_feedback", args=[to_come.pk]) not in to_come_page
