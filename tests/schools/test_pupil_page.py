"""One pupil's page: what a school admin sees (Pupil Premium, parents' contact
details and invitations) and what a teacher sees (names only); removing a parent's
link and marking the pupil as left, each after a confirmation step."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry, SecurityEvent
from consent.models import Purpose
from consent.wording import PURPOSE_STATEMENT
from invitations.models import Invitation
from invitations.services import invitation_accept, invitations_create
from notifications.models import Message
from schools.models import Guardianship, Pupil
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    UserFactory,
    sign_in_verified,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(school):
    school.contact_email = "office@oakfield.example.org"
    school.contact_phone = "020 7946 0123"
    school.parent_facing_name = "Oakfield"
    school.save()
    school_class = SchoolClassFactory(school=school, name="Robins")
    return PupilFactory(
        school=school,
        school_class=school_class,
        first_name="Amara",
        last_name="Okoro",
        pupil_premium=True,
    )


@pytest.fixture
def joined(pupil):
    parent = UserFactory(
        first_name="Pat", last_name="Joined", email="pat@example.org", mobile="+447700900111"
    )
    return GuardianshipFactory(parent=parent, pupil=pupil, relationship="Mother")


@pytest.fixture
def invited(pupil, admin):
    parent = imported_parent(
        first_name="Ivy", last_name="Invited", email="ivy@example.org", mobile="+447700900222"
    )
    guardianship = link_unconfirmed(parent, pupil)
    invitations_create(
        school=pupil.school,
        pupils=Pupil.objects.filter(pk=pupil.pk),
        channels="email",
        actor=admin,
    )
    return guardianship


@pytest.fixture
def imported(pupil):
    parent = imported_parent(first_name="Ian", last_name="Imported", email="ian@example.org")
    return link_unconfirmed(parent, pupil)


def _url(pupil):
    return reverse("schools:pupil_detail", args=[pupil.school_id, pupil.pk])


def _remove_url(guardianship):
    pupil = guardianship.pupil
    return reverse("schools:guardianship_remove", args=[pupil.school_id, pupil.pk, guardianship.pk])


def _leave_url(pupil):
    return reverse("schools:pupil_leave", args=[pupil.school_id, pupil.pk])


# --- The page ------------------------------------------------------------------------


def test_the_admin_sees_class_year_pupil_premium_and_each_parent_with_status_and_contact(
    school_admin_client, pupil, joined, invited, imported
):
    Invitation.objects.filter(parent=imported.parent).delete()  # never invited
    response = school_admin_client.get(_url(pupil))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Amara Okoro",
        "Robins",
        "Year 3",
        "Pupil Premium",
        "Pat Joined",
        "Joined",
        "pat@example.org",
        "+447700900111",
        "Ivy Invited",
        "Invited",
        "ivy@example.org",
        "Ian Imported",
        "Imported",
        "Remove this parent",
        "Mark as left",
    ):
        assert text in html, text
    assert html.count('class="tag status-') == 3
    # Ivy's invitation, with where it went and its status.
    assert "Invitations to Ivy Invited" in html
    assert "No invitation sent yet." in html  # Ian's
    assert 'class="button button-danger' in html


def test_a_teacher_sees_the_parents_names_only_without_pupil_premium(
    staff_client, pupil, joined, invited
):
    teacher = teacher_of(pupil.school_class)
    response = staff_client(teacher).get(_url(pupil))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pat Joined" in html and "Ivy Invited" in html
    for absent in (
        "Pupil Premium",
        "pat@example.org",
        "+447700900111",
        "ivy@example.org",
        "+447700900222",
        pupil.upn,
        "Remove this parent",
        "Mark as left",
        "Invitations to",
    ):
        assert absent not in html, absent


def test_opening_a_pupils_page_is_recorded(staff_client, pupil):
    teacher = teacher_of(pupil.school_class)
    staff_client(teacher).get(_url(pupil))
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED)
    assert (event.user, event.details) == (teacher, {"pupil": pupil.pk})


def test_the_page_is_a_404_for_other_teachers_other_schools_and_the_pupils_own_parent(
    staff_client, client, pupil, joined
):
    other_teacher = teacher_of(SchoolClassFactory(school=pupil.school))
    assert staff_client(other_teacher).get(_url(pupil)).status_code == 404
    wrong_school = reverse("schools:pupil_detail", args=[pupil.school_id + 1000, pupil.pk])
    assert staff_client(teacher_of(pupil.school_class)).get(wrong_school).status_code == 404

    client.force_login(joined.parent)  # another parent's name is not theirs to see
    assert client.get(_url(pupil)).status_code == 404


def test_the_pupil_list_the_class_page_and_my_classes_link_to_the_pupil(
    school_admin_client, staff_client, pupil
):
    pupils = school_admin_client.get(reverse("schools:school_pupils", args=[pupil.school_id]))
    assert _url(pupil) in pupils.content.decode()
    teacher_client = staff_client(teacher_of(pupil.school_class))
    class_page = teacher_client.get(reverse("schools:class_detail", args=[pupil.school_class_id]))
    assert _url(pupil) in class_page.content.decode()
    my_classes = teacher_client.get(reverse("schools:teacher_classes"))
    assert _url(pupil) in my_classes.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_the_pupils_page_costs_the_same_queries_whatever_the_number_of_parents(
    school_admin_client, django_assert_num_queries, pupil, admin, size
):
    for n in range(size):
        parent = imported_parent(email=f"carer{n}@example.org")
        link_unconfirmed(parent, pupil)
    invitations_create(
        school=pupil.school,
        pupils=Pupil.objects.filter(pk=pupil.pk),
        channels="email",
        actor=admin,
    )
    # Session, user, OTP device, consent status (4); the pupil with its class and
    # school, recording the opening (2); is admin? twice, and once more each for the
    # buttons that change the pupil and the one that exports the pupil's data (4);
    # the parents, their invitations (2); the menu (2).
    with django_assert_num_queries(14):
        response = school_admin_client.get(_url(pupil))
    assert response.content.decode().count('class="tag status-') == size


# --- Removing a parent's link ------------------------------------------------------------


def test_removing_a_link_asks_first_and_says_what_will_happen(school_admin_client, joined):
    response = school_admin_client.get(_remove_url(joined))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove Pat Joined" in html
    assert "no longer see Amara" in html
    assert "tell them by email" in html
    assert '<button type="submit" class="button-danger">Remove the link</button>' in html
    assert Guardianship.objects.get(pk=joined.pk).ended_at is None


def test_removing_a_link_ends_it_tells_the_parent_and_is_recorded(
    school_admin_client, client, admin, joined, pupil
):
    response = school_admin_client.post(_remove_url(joined))

    assert response.status_code == 302
    assert response["Location"] == _url(pupil)
    joined.refresh_from_db()
    assert joined.ended_at is not None
    (message,) = Message.objects.filter(template="guardianship_ended")
    assert (message.recipient, message.to_address, message.kind) == (
        joined.parent,
        "pat@example.org",
        Message.Kind.SERVICE,
    )
    assert "Oakfield has removed the link" in message.body_text
    assert "Amara" in message.body_text
    assert "office@oakfield.example.org" in message.body_text
    assert "020 7946 0123" in message.body_text
    entry = AuditEntry.objects.get(action="guardianship.end")
    assert (entry.actor, entry.school_id) == (admin, pupil.school_id)

    # The parent no longer sees the child.
    client.force_login(joined.parent)
    assert client.get(reverse("learning:child_space", args=[pupil.pk])).status_code == 404
    assert "Amara" not in client.get(reverse("schools:parent_home")).content.decode()
    # And the link is gone from the pupil's page; removing it again is a 404.
    assert "Pat Joined" not in school_admin_client.get(_url(pupil)).content.decode()
    assert school_admin_client.post(_remove_url(joined)).status_code == 404


def test_a_parent_known_only_by_mobile_is_told_by_text(school_admin_client, pupil):
    parent = UserFactory(email=None, mobile="+447700900333", first_name="Mo")
    guardianship = GuardianshipFactory(parent=parent, pupil=pupil)

    school_admin_client.post(_remove_url(guardianship))

    (message,) = Message.objects.filter(template="guardianship_ended")
    assert (message.channel, message.to_address) == (Message.Channel.SMS, "+447700900333")
    assert "020 7946 0123" in message.body_text


def test_removing_an_imported_parents_link_sends_nothing(school_admin_client, imported):
    school_admin_client.post(_remove_url(imported))
    imported.refresh_from_db()
    assert imported.ended_at is not None
    assert not Message.objects.filter(template="guardianship_ended").exists()


def test_a_teacher_cannot_remove_a_link(staff_client, joined):
    teacher = teacher_of(joined.pupil.school_class)
    client = staff_client(teacher)
    assert client.get(_remove_url(joined)).status_code == 403
    assert client.post(_remove_url(joined)).status_code == 403
    assert Guardianship.objects.get(pk=joined.pk).ended_at is None


def test_an_ended_link_is_not_brought_back_by_the_invitation_it_had(
    school_admin_client, invited, notice
):
    school_admin_client.post(_remove_url(invited))
    invited.refresh_from_db()
    assert invited.ended_at is not None
    assert not Message.objects.filter(template="guardianship_ended").exists()

    invitation = Invitation.objects.get(parent=invited.parent)
    invitation_accept(
        invitation=invitation,
        user=invited.parent,
        consents={Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM]},
        actor=invited.parent,
    )
    invited.refresh_from_db()
    assert invited.ended_at is not None
    assert invited.confirmed_at is None


# --- Marking a pupil as left ---------------------------------------------------------------


def test_marking_as_left_asks_first(school_admin_client, pupil):
    response = school_admin_client.get(_leave_url(pupil))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mark Amara Okoro as having left?" in html
    assert "Staff (teachers and school admins) no longer see Amara" in html
    assert '<button type="submit" class="button-danger">Mark as left</button>' in html
    assert Pupil.objects.get(pk=pupil.pk).removed_by_school_at is None


def test_marking_as_left_takes_the_pupil_from_teachers_and_is_recorded(
    school_admin_client, admin, pupil, joined
):
    teacher = teacher_of(pupil.school_class)

    response = school_admin_client.post(_leave_url(pupil))

    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.removed_by_school_at is not None
    assert AuditEntry.objects.get(action="pupils.remove").actor == admin
    assert response["Location"] == reverse("schools:school_pupils", args=[pupil.school_id])
    # Staff stop seeing the pupil: the admin who marked them too.
    assert school_admin_client.get(_url(pupil)).status_code == 404
    pupils_page = school_admin_client.get(response["Location"]).content.decode()
    assert pupil.last_name not in pupils_page
    teacher_client = Client()
    sign_in_verified(teacher_client, teacher)
    assert teacher_client.get(_url(pupil)).status_code == 404
    # The parent still sees their child, as when a roster import removes a pupil.
    parent_client = Client()
    parent_client.force_login(joined.parent)
    assert parent_client.get(reverse("learning:child_space", args=[pupil.pk])).status_code == 200


def test_marking_as_left_twice_changes_nothing(school_admin_client, pupil):
    school_admin_client.post(_leave_url(pupil))
    first = Pupil.objects.get(pk=pupil.pk).removed_by_school_at
    response = school_admin_client.post(_leave_url(pupil))
    assert response.status_code == 404  # the pupil has left staff's view
    assert Pupil.objects.get(pk=pupil.pk).removed_by_school_at == first
    assert AuditEntry.objects.filter(action="pupils.remove").count() == 1


def test_a_teacher_cannot_mark_a_pupil_as_left(staff_client, pupil):
    client = staff_client(teacher_of(pupil.school_class))
    assert client.post(_leave_url(pupil)).status_code == 403
    assert Pupil.objects.get(pk=pupil.pk).removed_by_school_at is None
