"""The work-set pages run the same number of queries at 1 pupil (or piece of work)
and at 30: each family's status is worked out by the database, not per pupil.

Staff pages: session, user and OTP device (3), the consent status the banners
need (1), then the page's own queries and the header's navigation (is the user a
parent? their memberships).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.models import Event
from learning.models import Completion
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 30]

# + the assignment with its activity count, the families with their status, their
# parents, the counts by status
ASSIGNMENT_DETAIL = 10
# + may author (memberships), page count, page of work, the page's counts by status
# (one query grouped by assignment and status, so each pupil's status is worked out
# once rather than once for each of the three counts)
ASSIGNMENT_LIST = 10


def _class_with_families(size):
    school_class = SchoolClassFactory(school=SchoolFactory())
    topic = TopicFactory()
    activities = [ActivityFactory(topic=topic) for _ in range(3)]
    assignment = AssignmentFactory(school_class=school_class, topic=topic)
    for n in range(size):
        pupil = PupilFactory(school=school_class.school, school_class=school_class)
        GuardianshipFactory(pupil=pupil)
        GuardianshipFactory(pupil=pupil)
        for activity in activities[: n % 4]:
            Completion.objects.create(pupil=pupil, activity=activity)
        if n % 5 == 0:
            Event.objects.create(
                school=school_class.school,
                pupil=pupil,
                kind=Event.Kind.ASSIGNMENT_OPENED,
                subject=f"assignment:{assignment.pk}",
            )
    return school_class, assignment


@pytest.mark.parametrize("size", SIZES)
def test_assignment_detail_query_count(staff_client, django_assert_num_queries, size):
    school_class, assignment = _class_with_families(size)
    client = staff_client(teacher_of(school_class))

    with django_assert_num_queries(ASSIGNMENT_DETAIL):
        response = client.get(reverse("learning:assignment_detail", args=[assignment.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == size


@pytest.mark.parametrize("size", SIZES)
def test_assignment_list_query_count(staff_client, django_assert_num_queries, size):
    school_class, _ = _class_with_families(size)
    for _ in range(size - 1):
        AssignmentFactory(school_class=school_class)
    client = staff_client(teacher_of(school_class))

    with django_assert_num_queries(ASSIGNMENT_LIST):
        response = client.get(reverse("learning:assignment_list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == min(size, 25)


def _status_queries(captured) -> list[str]:
    """The queries that work out families' statuses (they look for opening events)."""
    return [q["sql"] for q in captured if "assignment_opened" in q["sql"]]


def test_the_work_set_page_works_out_each_status_once_per_query(staff_client):
    school_class, _ = _class_with_families(3)
    client = staff_client(teacher_of(school_class))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("learning:assignment_list"))

    assert response.status_code == 200
    (status_query,) = _status_queries(captured)
    assert status_query.count("CASE WHEN") == 1


def test_the_assignment_page_counts_statuses_working_each_out_once(staff_client):
    school_class, assignment = _class_with_families(3)
    client = staff_client(teacher_of(school_class))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("learning:assignment_detail", args=[assignment.pk]))

    assert response.status_code == 200
    # The families with their status, and the counts by status.
    assert [sql.count("CASE WHEN") for sql in _status_queries(captured)] == [1, 1]


def test_the_work_set_page_counts_families_by_status(staff_client):
    school_class, _ = _class_with_families(10)
    client = staff_client(teacher_of(school_class))

    page = client.get(reverse("learning:assignment_list")).context["page"]

    # n % 4 activities of 3 done: 3 done at n = 3, 7; some at n % 4 in {1, 2}
    # (n = 1, 2, 5, 6, 9); opened at n = 0, 5; not opened: n = 4, 8.
    (assignment,) = page
    assert (assignment.completed_count, assignment.started_count, assignment.not_opened_count) == (
        2,
        6,
        2,
    )
