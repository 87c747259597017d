"""A teacher's engagement dashboard: their classes only, the right numbers, who has
not engaged, never a pupil's Pupil Premium status, and a query count that does not
grow with pupils or events."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from engagement.models import Nudge
from learning.models import Feedback
from tests.engagement.dashboard_world import build_world, event, family, more_families
from tests.factories import SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("engagement:teacher_dashboard")


@pytest.fixture
def world():
    return build_world()


def _names_in_list(response) -> list[str]:
    return [pupil.first_name for pupil in response.context["page"]]


def test_the_class_summary_counts_reached_and_active_families(staff_client, world):
    response = staff_client(world.teacher).get(URL)
    assert response.status_code == 200
    (summary,) = response.context["summaries"]
    # Amara, Ben and Cara have a joined parent; Dev's only parent closed the account.
    assert summary.pupils == 4
    assert summary.reached == 3
    # The closed account's and the teacher's events never count.
    assert summary.active_7_days == 1
    assert summary.active_30_days == 2
    assert summary.completions_30_days == 1


def test_each_piece_of_work_shows_families_active_on_it_and_activities_done(staff_client, world):
    response = staff_client(world.teacher).get(URL)
    (work,) = response.context["work"]
    assert (work.active_7_days, work.active_30_days, work.completions, work.activities) == (
        1,
        1,
        1,
        2,
    )
    assert "Minibeasts" in response.content.decode()


def test_who_has_not_engaged_lists_each_pupil_with_the_parents_last_activity(staff_client, world):
    client = staff_client(world.teacher)
    everyone = client.get(URL)
    # Least engaged first: never active, then the longest ago.
    assert sorted(_names_in_list(everyone)[:2]) == ["Cara", "Dev"]
    assert _names_in_list(everyone)[2:] == ["Ben", "Amara"]
    page = everyone.content.decode()
    last = timezone.localtime(timezone.now() - timedelta(days=20)).strftime("%-d %b %Y")
    assert last in page

    assert sorted(_names_in_list(client.get(URL, {"show": "never"}))) == ["Cara", "Dev"]
    assert sorted(_names_in_list(client.get(URL, {"show": "14"}))) == ["Ben", "Cara", "Dev"]
    assert sorted(_names_in_list(client.get(URL, {"show": "30"}))) == ["Cara", "Dev"]


def test_a_pupil_without_a_joined_parent_cannot_be_ticked(staff_client, world):
    page = staff_client(world.teacher).get(URL).content.decode()
    assert f'value="{world.silent.pk}"' in page
    assert f'name="pupil" value="{world.unreached.pk}"' not in page


def test_recent_comments_show_and_rejected_ones_do_not(staff_client, world):
    parent = world.parents["active"]
    activity = world.assignment.topic.activities.first()
    Feedback.objects.create(
        pupil=world.active, activity=activity, parent=parent, comment="We found a woodlouse"
    )
    Feedback.objects.create(
        pupil=world.lapsed,
        activity=activity,
        parent=world.parents["lapsed"],
        comment="Something rude",
        moderation_status=Feedback.Moderation.REJECTED,
    )
    page = staff_client(world.teacher).get(URL).content.decode()
    assert "We found a woodlouse" in page
    assert "Something rude" not in page


def test_a_teacher_sees_only_the_classes_they_teach(staff_client, world):
    other = SchoolClassFactory(school=world.school, name="Wrens")
    family(other, "Zed")
    client = staff_client(world.teacher)
    assert client.get(URL, {"class": other.pk}).status_code == 404
    page = client.get(URL).content.decode()
    assert "Wrens" not in page and "Zed" not in page


def test_parents_and_people_without_a_class_do_not_open_it(client, staff_client, world):
    client.force_login(world.parents["active"])
    assert client.get(URL).status_code == 404
    admin_only = UserFactory()
    Membership.objects.create(user=admin_only, school=world.school, role=Membership.Role.ADMIN)
    response = staff_client(admin_only).get(URL)
    assert response.status_code == 200
    assert reverse("engagement:school_dashboard", args=[world.school.pk]) in (
        response.content.decode()
    )


def test_no_teacher_page_shows_pupil_premium(staff_client, world):
    client = staff_client(world.teacher)
    pages = [
        client.get(URL),
        client.get(URL, {"show": "never"}),
        client.get(
            reverse("engagement:nudge"),
            {
                "school_class": world.robins.pk,
                "assignment": world.assignment.pk,
                "pupil": [world.active.pk, world.silent.pk],
            },
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert "Pupil Premium" not in text
        assert "pupil premium" not in text.lower()
        assert not re.search(r"\bPP\b", text)


def test_the_nudged_column_shows_when_a_family_was_nudged_about_the_work(staff_client, world):
    Nudge.objects.create(
        assignment=world.assignment,
        parent=world.parents["silent"],
        sent_by=world.teacher,
        sent_on=timezone.localdate(),
    )
    response = staff_client(world.teacher).get(URL)
    nudged = {pupil.first_name: pupil.last_nudged for pupil in response.context["page"]}
    assert nudged["Cara"] is not None
    assert nudged["Ben"] is None


@pytest.mark.parametrize("size", [1, 30])
def test_the_dashboard_query_count_does_not_grow_with_pupils_or_events(
    staff_client, num_queries, size
):
    world = build_world()
    more_families(world.robins, size)
    # Events of people who are not the pupils' parents grow too, and change nothing.
    for pupil in world.robins.pupils.all()[:size]:
        event(UserFactory(), pupil, days_ago=3)
    client = staff_client(world.teacher)
    client.get(URL)  # the session and the second factor settle
    response = num_queries(client, f"{URL}?class={world.robins.pk}&show=14", 15)
    assert response.context["page"].paginator.count >= 2


def test_a_teacher_of_two_schools_sees_both_classes(staff_client, world):
    other_class = SchoolClassFactory(name="Kestrels")
    teacher = world.teacher
    Membership.objects.create(user=teacher, school=other_class.school, role=Membership.Role.TEACHER)
    other_class.teachers.add(teacher)
    family(other_class, "Yusuf")
    response = staff_client(teacher).get(URL)
    assert {s.school_class.name for s in response.context["summaries"]} == {"Robins", "Kestrels"}
