"""A parent restricting how their data is used: kept, but no messages, no
tracking, out of the reports; they can still sign in; lifting it undoes that;
each change is recorded."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from engagement.models import Event
from engagement.services import event_record
from notifications.models import Message
from notifications.services import recipient_may_receive
from tests.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:settings_restriction")
PASSWORD = "a-long-parent-password-7"


@pytest.fixture
def family():
    link = GuardianshipFactory()
    link.parent.set_password(PASSWORD)
    link.parent.save()
    return link


def test_a_parent_finds_the_choice_in_account_settings(client, family):
    client.force_login(family.parent)

    page = client.get(reverse("accounts:settings")).content.decode()

    assert "How we use your data" in page
    assert URL in page


def test_opening_the_page_explains_and_changes_nothing(client, family):
    client.force_login(family.parent)

    page = client.get(URL).content.decode()

    assert "we send you no emails or text messages" in page
    assert "button-danger" in page
    family.parent.refresh_from_db()
    assert not family.parent.processing_restricted
    assert not AuditEntry.objects.filter(action="user.restrict").exists()


def test_restricting_stops_messages_and_tracking_but_not_signing_in(client, family):
    parent, pupil = family.parent, family.pupil
    client.force_login(parent)

    response = client.post(URL, {"restricted": "yes"})

    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.processing_restricted
    assert AuditEntry.objects.filter(action="user.restrict", actor=parent).count() == 1
    for kind in (Message.Kind.SERVICE, Message.Kind.ENGAGEMENT):
        assert not recipient_may_receive(recipient=parent, kind=kind)
    event_record(actor=parent, kind=Event.Kind.ASSIGNMENT_OPENED, school=pupil.school, pupil=pupil)
    assert not Event.objects.filter(actor=parent, kind=Event.Kind.ASSIGNMENT_OPENED).exists()
    client.logout()
    assert client.login(email=parent.email, password=PASSWORD)
    assert client.get(reverse("schools:parent_home")).status_code == 200


def test_lifting_the_restriction_is_recorded_and_tracking_starts_again(client, family):
    parent, pupil = family.parent, family.pupil
    client.force_login(parent)
    client.post(URL, {"restricted": "yes"})

    assert "Lift the restriction" in client.get(URL).content.decode()
    client.post(URL, {"restricted": "no"})

    parent.refresh_from_db()
    assert not parent.processing_restricted
    assert AuditEntry.objects.filter(action="user.unrestrict", actor=parent).count() == 1
    event_record(actor=parent, kind=Event.Kind.ASSIGNMENT_OPENED, school=pupil.school, pupil=pupil)
    assert Event.objects.filter(actor=parent, kind=Event.Kind.ASSIGNMENT_OPENED).exists()


def test_an_account_with_no_children_is_not_offered_it(client):
    user = UserFactory()
    client.force_login(user)

    assert "How we use your data" not in client.get(reverse("accounts:settings")).content.decode()
    assert client.get(URL).status_code == 302
    client.post(URL, {"restricted": "yes"})
    user.refresh_from_db()
    assert not user.processing_restricted
