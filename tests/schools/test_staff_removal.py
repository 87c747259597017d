"""A school admin removes a member of staff from the overview's staff list, after
a confirmation step; a school always keeps one admin. Adding staff starts from the
Teacher role."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.forms import StaffAddForm
from accounts.models import Membership
from audit.models import AuditEntry
from tests.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)

pytestmark = pytest.mark.django_db


def _remove_url(school, user):
    return reverse("schools:staff_remove", args=[school.pk, user.pk])


def _signed_in(user) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def teacher(school):
    school_class = SchoolClassFactory(school=school, name="Robins")
    return teacher_of(school_class, first_name="Tess", last_name="Teacher")


def test_the_staff_list_offers_to_remove_each_member(school_admin_client, school, admin, teacher):
    html = school_admin_client.get(reverse("schools:school_overview", args=[school.pk]))
    html = html.content.decode()
    assert _remove_url(school, teacher) in html
    assert _remove_url(school, admin) in html
    assert "Remove me" in html


def test_removing_staff_asks_first_and_says_what_will_happen(school_admin_client, school, teacher):
    response = school_admin_client.get(_remove_url(school, teacher))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Remove Tess Teacher from the staff of Oakfield Primary?" in html
    assert "stop teaching Robins" in html
    assert "account is not deleted" in html
    assert '<button type="submit" class="button-danger">Remove from the staff</button>' in html
    assert Membership.objects.filter(user=teacher, school=school).exists()


def test_removing_a_teacher_ends_their_membership_and_classes_and_is_recorded(
    school_admin_client, school, admin, teacher
):
    school_class = teacher.classes_taught.get()

    response = school_admin_client.post(_remove_url(school, teacher))

    assert response.status_code == 302
    assert not Membership.objects.filter(user=teacher, school=school).exists()
    assert not school_class.teachers.filter(pk=teacher.pk).exists()
    entry = AuditEntry.objects.get(action="staff.remove")
    assert (entry.actor, entry.school_id) == (admin, school.pk)
    assert entry.changes == {"user": teacher.pk, "roles": ["teacher"], "classes": [school_class.pk]}
    # They no longer see the school's class.
    teacher_client = Client()
    teacher_client.force_login(teacher)
    response = teacher_client.get(reverse("schools:class_detail", args=[school_class.pk]))
    assert response.status_code == 404


def test_their_roles_at_other_schools_stay(school_admin_client, school, teacher):
    elsewhere = MembershipFactory(user=teacher, school=SchoolFactory())
    school_admin_client.post(_remove_url(school, teacher))
    assert list(Membership.objects.filter(user=teacher)) == [elsewhere]


def test_the_only_admin_cannot_remove_themselves(school_admin_client, school, admin):
    page = school_admin_client.get(_remove_url(school, admin)).content.decode()
    assert "is the only admin of Oakfield Primary" in page
    assert "Remove me from the staff</button>" not in page

    response = school_admin_client.post(_remove_url(school, admin))

    assert response.status_code == 200
    html = response.content.decode()
    assert "is the only admin of Oakfield Primary" in html
    assert "Add another school admin first" in html
    assert Membership.objects.filter(user=admin, school=school, role="admin").exists()
    assert not AuditEntry.objects.filter(action="staff.remove").exists()


def test_an_admin_who_also_teaches_keeps_the_school_an_admin(school_admin_client, school, admin):
    Membership.objects.create(user=admin, school=school, role=Membership.Role.TEACHER)
    school_admin_client.post(_remove_url(school, admin))
    assert Membership.objects.filter(user=admin, school=school).count() == 2


def test_with_a_second_admin_an_admin_may_remove_themselves(school_admin_client, school, admin):
    deputy = admin_of(school)

    response = school_admin_client.post(_remove_url(school, admin))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert not Membership.objects.filter(user=admin, school=school).exists()
    # The deputy remains, and is now the only admin: they cannot go.
    _signed_in(deputy).post(_remove_url(school, deputy))
    assert Membership.objects.filter(user=deputy, school=school, role="admin").exists()


def test_one_admin_may_remove_another(school_admin_client, school):
    deputy = admin_of(school)
    school_admin_client.post(_remove_url(school, deputy))
    assert not Membership.objects.filter(user=deputy, school=school).exists()


def test_teachers_and_other_schools_admins_cannot_remove_staff(school, admin, teacher):
    assert _signed_in(teacher).post(_remove_url(school, admin)).status_code == 404
    other_admin = admin_of(SchoolFactory())
    assert _signed_in(other_admin).post(_remove_url(school, teacher)).status_code == 404
    # Nor can an admin remove someone who is not on their school's staff.
    stranger = admin_of(SchoolFactory())
    assert _signed_in(admin).post(_remove_url(school, stranger)).status_code == 404
    assert Membership.objects.filter(user=teacher, school=school).exists()
    assert Membership.objects.filter(user=stranger).exists()


# --- Adding staff ----------------------------------------------------------------------


def test_adding_staff_starts_from_the_teacher_role(school_admin_client, school):
    assert StaffAddForm().fields["role"].initial == Membership.Role.TEACHER

    html = school_admin_client.get(reverse("accounts:staff_add", args=[school.pk]))
    html = html.content.decode()

    assert re.search(r'<input[^>]*value="teacher"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="admin"[^>]*checked', html)
    assert "sees each pupil's Pupil Premium status" in html
