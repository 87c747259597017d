"""The checkpoint's refusals, and staff opening a pupil's record, are security events."""

import pytest
from django.urls import reverse

from accounts import access
from audit.models import SecurityEvent
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    UserFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db


def refusals():
    return list(SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_REFUSED))


def test_another_schools_class_is_a_404_and_the_refusal_is_recorded(staff_client):
    mine, theirs = SchoolClassFactory(), SchoolClassFactory()
    teacher = teacher_of(mine)
    path = reverse("schools:class_detail", args=[theirs.pk])

    response = staff_client(teacher).get(path, HTTP_USER_AGENT="Firefox test")

    assert response.status_code == 404
    (event,) = refusals()
    assert event.user == teacher
    assert event.details == {"path": path, "method": "GET", "answer": 404}
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == "Firefox test"


def test_a_parent_on_a_staff_page_is_a_403_and_recorded(client):
    parent = GuardianshipFactory().parent
    client.force_login(parent)

    response = client.get(reverse("learning:topic_list"))

    assert response.status_code == 403
    (event,) = refusals()
    assert (event.user, event.details["answer"]) == (parent, 403)


def test_an_ordinary_missing_page_is_not_a_refusal(client):
    client.force_login(UserFactory())
    assert client.get("/no-such-page/").status_code == 404
    assert refusals() == []


def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_is_recorded(client):
    response = client.get(reverse("schools:class_detail", args=[SchoolClassFactory().pk]))
    assert response.status_code == 302
    assert not SecurityEvent.objects.exists()


def test_staff_opening_a_pupils_record_is_recorded_but_a_parent_seeing_their_child_is_not():
    pupil = PupilFactory()
    teacher = teacher_of(pupil.school_class)
    parent = GuardianshipFactory(pupil=pupil).parent

    assert access.pupil_or_404(parent, pupil.pk) == pupil
    assert not SecurityEvent.objects.exists()

    assert access.pupil_or_404(teacher, pupil.pk) == pupil
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED)
    assert (event.user, event.details) == (teacher, {"pupil": pupil.pk})


def test_a_pupil_out_of_sight_is_refused_not_opened():
    pupil = PupilFactory()
    stranger = teacher_of(SchoolClassFactory())
    with pytest.raises(access.NotVisible):
        access.pupil_or_404(stranger, pupil.pk)
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED).exists()
