"""The work-set pages run the same number of queries at 1 pupil (or piece of work)
and at 30: each family's status is worked out by the database, not per pupil.

Staff pages: session, user and OTP device (3), the consent status the banners
need (1), then the page's own queries and the header's navigation (is the user a
parent? their memberships).
"""

import pytest
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
# + may author (memberships), page count, page of work with counts by status
ASSIGNMENT_LIST = 9


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
