"""A school's settings (the name parents see, contact details, the moderation
switch), the Help page that shows parents those details, and the staff menu's
Feedback to approve item that follows the switch."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from learning.selectors import feedback_awaiting_moderation
from learning.services import completion_record, feedback_save
from schools.models import MODERATION_HELP, School
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.learning.space_world import family_world
from tests.schools.test_pages import unlabelled_controls

pytestmark = pytest.mark.django_db

SETTINGS = {
    "parent_facing_name": "Oakfield",
    "contact_email": "Office@Oakfield.example.org",
    "contact_phone": "02079460123",
    "moderate_feedback": "on",
}


def _settings_url(school):
    return reverse("schools:school_settings", args=[school.pk])


# --- Who may open the settings -------------------------------------------------------


def test_the_admin_sees_the_settings_form_with_every_field_labelled(school_admin_client, school):
    response = school_admin_client.get(_settings_url(school))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "School settings",
        "Name parents see",
        "Contact email for parents",
        "Contact phone for parents",
        "Feedback to approve",
        "Save settings",
    ):
        assert text in html, text
    assert unlabelled_controls(html) == []


def test_the_overview_links_to_the_settings(school_admin_client, school):
    html = school_admin_client.get(reverse("schools:school_overview", args=[school.pk])).content
    assert _settings_url(school) in html.decode()


def test_a_teacher_of_the_school_is_refused_and_anyone_else_gets_a_404(
    staff_client, client, school
):
    teacher = teacher_of(SchoolClassFactory(school=school))
    assert staff_client(teacher).get(_settings_url(school)).status_code == 403
    assert staff_client(teacher).post(_settings_url(school), SETTINGS).status_code == 403

    other_admin = admin_of(SchoolFactory())
    assert staff_client(other_admin).get(_settings_url(school)).status_code == 404

    parent = GuardianshipFactory(pupil=PupilFactory(school=school)).parent
    client.force_login(parent)
    assert client.get(_settings_url(school)).status_code == 404
    assert School.objects.get(pk=school.pk).contact_email == ""


# --- Saving them ---------------------------------------------------------------------


def test_saving_the_settings_changes_the_school_and_records_who_did_it(
    school_admin_client, school, admin
):
    response = school_admin_client.post(_settings_url(school), SETTINGS)

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.parent_facing_name == "Oakfield"
    assert school.name_for_parents == "Oakfield"
    assert school.contact_email == "office@oakfield.example.org"
    assert school.contact_phone == "020 7946 0123"  # as people write it
    assert school.moderate_feedback is True
    entry = AuditEntry.objects.get(action="school.settings_update")
    assert (entry.actor, entry.school_id) == (admin, school.pk)
    assert entry.changes["moderate_feedback"] == [False, True]


def test_saving_unchanged_settings_records_nothing(school_admin_client, school):
    school_admin_client.post(_settings_url(school), SETTINGS)
    school_admin_client.post(_settings_url(school), SETTINGS)
    assert AuditEntry.objects.filter(action="school.settings_update").count() == 1


@pytest.mark.parametrize("phone", ["12345", "07700 90012", "+33 1 42 68 53 00", "not a phone"])
def test_a_phone_that_is_not_a_uk_number_is_refused_and_nothing_is_saved(
    school_admin_client, school, phone
):
    response = school_admin_client.post(_settings_url(school), {**SETTINGS, "contact_phone": phone})

    assert response.status_code == 200
    assert "Enter a UK phone number" in response.content.decode()
    school.refresh_from_db()
    assert (school.contact_phone, school.parent_facing_name) == ("", "")


def test_a_blank_name_for_parents_means_the_full_name(school_admin_client, school):
    school_admin_client.post(_settings_url(school), {**SETTINGS, "parent_facing_name": ""})
    school.refresh_from_db()
    assert school.name_for_parents == "Oakfield Primary"


# --- What parents see ----------------------------------------------------------------


def _parent_of(school, **fields):
    guardianship = GuardianshipFactory(pupil=PupilFactory(school=school, **fields))
    return guardianship.parent


def test_the_help_page_shows_a_parent_their_childs_school_contact_details(client):
    school = SchoolFactory(
        name="Oakfield Primary School and Nursery",
        parent_facing_name="Oakfield Primary",
        contact_email="office@oakfield.example.org",
        contact_phone="020 7946 0123",
    )
    other = SchoolFactory(name="Elsewhere Academy", contact_email="office@elsewhere.example.org")
    client.force_login(_parent_of(school))

    response = client.get(reverse("schools:help"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Oakfield Primary" in html
    assert "Oakfield Primary School and Nursery" not in html
    assert "office@oakfield.example.org" in html
    assert "020 7946 0123" in html
    assert other.name not in html
    assert "office@elsewhere.example.org" not in html


def test_a_parent_finds_help_in_the_menu(client):
    school = SchoolFactory()
    client.force_login(_parent_of(school))
    html = client.get(reverse("schools:parent_home")).content.decode()
    assert f'href="{reverse("schools:help")}"' in html


def test_a_school_without_contact_details_says_how_else_to_reach_it(client):
    school = SchoolFactory()
    client.force_login(_parent_of(school))
    html = client.get(reverse("schools:help")).content.decode()
    assert "has not added contact details" in html


def test_parents_see_the_name_the_school_chose_for_them(client):
    school = SchoolFactory(
        name="The Oakfield Federation: Oakfield Primary", parent_facing_name="Oakfield"
    )
    client.force_login(_parent_of(school, first_name="Amara"))

    html = client.get(reverse("schools:parent_home")).content.decode()

    assert "Oakfield" in html
    assert "Federation" not in html


def test_staff_see_a_help_page_too(staff_client, school):
    teacher = teacher_of(SchoolClassFactory(school=school))
    response = staff_client(teacher).get(reverse("schools:help"))
    assert response.status_code == 200
    assert "For school staff" in response.content.decode()


# --- Feedback to approve in the staff menu ---------------------------------------------


def _waiting(family, count):
    for n in range(count):
        pupil = PupilFactory(school=family.school, school_class=family.school_class)
        parent = GuardianshipFactory(pupil=pupil).parent
        completion_record(pupil=pupil, activity=family.activities[0], actor=parent)
        feedback_save(
            pupil=pupil,
            activity=family.activities[0],
            actor=parent,
            rating=None,
            comment=f"Please approve {n}",
            photo=None,
        )


def _menu(client):
    return client.get(reverse("schools:teacher_classes")).content.decode()


def test_without_moderation_the_menu_has_no_feedback_to_approve(staff_client):
    family = family_world(moderate=False)
    _waiting(family, 2)
    assert "Feedback to approve" not in _menu(staff_client(family.teacher))


def test_with_moderation_the_menu_shows_the_number_waiting(staff_client):
    family = family_world(moderate=True)
    _waiting(family, 2)
    client = staff_client(family.teacher)

    html = _menu(client)

    assert "Feedback to approve (2)" in html
    assert feedback_awaiting_moderation(user=family.teacher).count() == 2


def test_switching_moderation_on_in_the_settings_puts_the_item_in_the_menu(staff_client):
    family = family_world(moderate=False)
    client = staff_client(family.admin)
    assert "Feedback to approve" not in _menu(client)

    client.post(_settings_url(family.school), SETTINGS)

    assert "Feedback to approve (0)" in _menu(client)


def test_the_settings_wording_names_the_menu_item_it_adds():
    assert "Feedback to approve" in MODERATION_HELP
    assert "Ratings need no approval" in MODERATION_HELP


@pytest.mark.parametrize("size", [1, 30])
def test_the_menus_count_costs_one_query_whatever_the_number_waiting(
    staff_client, django_assert_num_queries, size
):
    family = family_world(moderate=True)
    _waiting(family, size)
    client = staff_client(family.teacher)

    # The teacher's classes page (8 queries, tests/schools/test_queries.py) and the
    # menu's count of feedback waiting.
    with django_assert_num_queries(9):
        response = client.get(reverse("schools:teacher_classes"))

    assert f"Feedback to approve ({size})" in response.content.decode()


def test_a_parent_is_never_offered_feedback_to_approve(client):
    family = family_world(moderate=True)
    client.force_login(family.parent)
    assert "Feedback to approve" not in client.get(reverse("schools:parent_home")).content.decode()


def test_a_user_with_no_school_sees_help_only(client):
    client.force_login(UserFactory())
    html = client.get(reverse("schools:help")).content.decode()
    assert "Contact your school" not in html
    assert "Using the portal" in html
