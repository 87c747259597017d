"""Every list page runs the same number of queries at 1 pupil and at 30.

The counts are measured once and written down: when one changes, the failing
test prints the queries, and the commit that changes it says why.
"""

import pytest
from django.urls import reverse

from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 30]

# Staff pages: session, user and OTP device (3), the consent status (one query on
# every signed-in page, shared by the consent gate and the banners), then the
# page's own queries and the header's navigation (is the user a parent? their
# memberships).
# Parent home: session, user, memberships (2FA check), consent status, is_parent,
# memberships, children, then how many topics are open for the children's classes
# (one grouped count, so each card can say what there is to do now).
PARENT_HOME = 8
TEACHER_CLASSES = 8  # + classes, one prefetch of their pupils
CLASS_TEACHER = 9  # + class with its school, is admin?, pupils
CLASS_ADMIN = 9
OVERVIEW = 11  # + school, totals, classes with counts, one prefetch of teachers, staff
PUPILS = 10  # + school, is admin?, page count, page of pupils with their classes


def _school_with_pupils(size: int):
    """A school with `size` pupils; at 30 they are spread over three classes,
    each with two teachers, some pupils removed and some Pupil Premium."""
    school = SchoolFactory()
    class_count = 1 if size == 1 else 3
    classes = [SchoolClassFactory(school=school, name=f"Class {n}") for n in range(class_count)]
    teachers = []
    for school_class in classes:
        for _ in range(1 if size == 1 else 2):
            teacher = teacher_of(school_class)
            teachers.append(teacher)
    for n in range(size):
        school_class = classes[n % class_count]
        pupil = PupilFactory(
            school=school,
            school_class=school_class,
            pupil_premium=n % 4 == 0,
            removed_by_school_at="2025-01-01T00:00:00Z" if n % 10 == 9 else None,
        )
        for _ in range(1 if size == 1 else 2):
            GuardianshipFactory(pupil=pupil)
    return school, classes, teachers


@pytest.mark.parametrize("size", SIZES)
def test_parent_home_query_count(client, num_queries, size):
    parent = UserFactory()
    schools = [SchoolFactory(), SchoolFactory()]
    for n in range(size if size == 1 else 6):
        pupil = PupilFactory(school=schools[n % 2])
        GuardianshipFactory(parent=parent, pupil=pupil)
    client.force_login(parent)

    response = num_queries(client, reverse("schools:parent_home"), PARENT_HOME)

    assert len(response.context["children"]) == (1 if size == 1 else 6)


@pytest.mark.parametrize("size", SIZES)
def test_teacher_classes_query_count(staff_client, num_queries, size):
    school, classes, _ = _school_with_pupils(size)
    teacher = UserFactory()
    teacher.memberships.create(school=school, role="teacher")
    for school_class in classes:
        school_class.teachers.add(teacher)
    client = staff_client(teacher)

    response = num_queries(client, reverse("schools:teacher_classes"), TEACHER_CLASSES)

    assert len(response.context["classes"]) == len(classes)


@pytest.mark.parametrize("size", SIZES)
def test_class_detail_query_count_for_a_teacher(staff_client, num_queries, size):
    school = SchoolFactory()
    school_class = SchoolClassFactory(school=school)
    teacher = teacher_of(school_class)
    for n in range(size):
        GuardianshipFactory(pupil=PupilFactory(school=school, school_class=school_class))
        if n % 10 == 9:
            PupilFactory(
                school=school, school_class=school_class, removed_by_school_at="2025-01-01T00:00Z"
            )
    client = staff_client(teacher)

    response = num_queries(
        client, reverse("schools:class_detail", args=[school_class.pk]), CLASS_TEACHER
    )

    assert len(response.context["pupils"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_class_detail_query_count_for_an_admin(staff_client, num_queries, size):
    school = SchoolFactory()
    school_class = SchoolClassFactory(school=school)
    for _ in range(size):
        GuardianshipFactory(pupil=PupilFactory(school=school, school_class=school_class))
    admin = admin_of(school)
    client = staff_client(admin)

    response = num_queries(
        client, reverse("schools:class_detail", args=[school_class.pk]), CLASS_ADMIN
    )

    assert len(response.context["pupils"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_school_overview_query_count(staff_client, num_queries, size):
    school, classes, teachers = _school_with_pupils(size)
    admin = admin_of(school)
    client = staff_client(admin)

    response = num_queries(client, reverse("schools:school_overview", args=[school.pk]), OVERVIEW)

    assert len(response.context["classes"]) == len(classes)
    assert len(response.context["staff"]) == len(teachers) + 1


@pytest.mark.parametrize("size", SIZES)
def test_school_pupils_query_count(staff_client, num_queries, size):
    school, _, _ = _school_with_pupils(size)
    admin = admin_of(school)
    client = staff_client(admin)

    response = num_queries(client, reverse("schools:school_pupils", args=[school.pk]), PUPILS)

    # Every tenth pupil was removed by the school: staff no longer see them.
    assert len(response.context["page"].object_list) == size - size // 10


@pytest.mark.parametrize("size", SIZES)
def test_school_pupils_search_query_count(staff_client, num_queries, size):
    school, _, _ = _school_with_pupils(size)
    admin = admin_of(school)
    client = staff_client(admin)

    name = school.pupils.order_by("pk").first().first_name

    response = num_queries(
        client, reverse("schools:school_pupils", args=[school.pk]) + f"?q={name}", PUPILS
    )

    assert response.context["page"].paginator.count >= 1
