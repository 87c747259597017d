"""A parent's sign-in is engagement; anyone's visits keep ``last_active_at``
current with at most one write per user every few minutes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagement.models import Event
from engagement.services import last_active_update
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _signed_in_events():
    return set(
        Event.objects.filter(kind=Event.Kind.SIGNED_IN).values_list("actor", "pupil", "school")
    )


# --- Signing in -------------------------------------------------------------------


def test_a_parent_signing_in_is_recorded_for_each_child_on_roll(client):
    parent = UserFactory()
    amy = PupilFactory()
    ben = PupilFactory(school=SchoolFactory())  # a second school
    left = PupilFactory(removed_by_school_at=timezone.now())
    for child in (amy, ben, left):
        GuardianshipFactory(parent=parent, pupil=child)

    _sign_in(client, parent)

    assert _signed_in_events() == {
        (parent.pk, amy.pk, amy.school_id),
        (parent.pk, ben.pk, ben.school_id),
    }


def test_staff_and_restricted_accounts_signing_in_are_not_recorded(client):
    pupil = PupilFactory(school_class=SchoolClassFactory())
    teacher_and_parent = teacher_of(pupil.school_class)
    restricted = UserFactory(processing_restricted=True)
    for user in (teacher_and_parent, restricted):
        GuardianshipFactory(parent=user, pupil=pupil)

    for user in (teacher_and_parent, restricted, UserFactory(is_staff=True)):
        client.logout()
        _sign_in(client, user)

    assert not Event.objects.exists()


def test_signing_in_notes_the_user_as_active(client):
    parent = UserFactory()

    _sign_in(client, parent)

    parent.refresh_from_db()
    assert timezone.now() - parent.last_active_at < timedelta(minutes=1)


# --- last_active_at ---------------------------------------------------------------


def _updates(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def _page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("consent:privacy_consents"))
    assert response.status_code == 200
    return queries


def test_a_parents_page_writes_last_active_at_once_per_window(client, settings):
    settings.LAST_ACTIVE_UPDATE_MINUTES = 5
    pupil = PupilFactory()
    parent = UserFactory()
    GuardianshipFactory(parent=parent, pupil=pupil)
    client.force_login(parent)
    within = _page(client)  # noted as active when signing in, a moment ago

    User.objects.filter(pk=parent.pk).update(last_active_at=timezone.now() - timedelta(minutes=6))
    after_window = _page(client)
    again = _page(client)

    assert _updates(within) == []
    assert len(_updates(after_window)) == 1
    assert _updates(again) == []
    # The page costs one query more after the window, and nothing more within it.
    assert len(after_window) == len(within) + 1 == len(again) + 1
    parent.refresh_from_db()
    assert timezone.now() - parent.last_active_at < timedelta(minutes=1)


def test_an_account_never_noted_is_noted_on_its_first_page(client):
    parent = UserFactory()
    client.force_login(parent)
    User.objects.filter(pk=parent.pk).update(last_active_at=None)

    assert len(_updates(_page(client))) == 1
    parent.refresh_from_db()
    assert parent.last_active_at is not None


def test_a_restricted_account_is_never_written(client):
    parent = UserFactory(processing_restricted=True)
    client.force_login(parent)

    assert _updates(_page(client)) == []
    parent.refresh_from_db()
    assert parent.last_active_at is None


def test_a_public_page_does_not_load_or_write_the_user(client):
    parent = UserFactory()
    client.force_login(parent)
    User.objects.filter(pk=parent.pk).update(last_active_at=None)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:healthz"))

    assert _updates(queries) == []


def test_two_requests_that_both_saw_an_old_value_write_once():
    parent = UserFactory()
    old = timezone.now() - timedelta(minutes=10)
    User.objects.filter(pk=parent.pk).update(last_active_at=old)
    first, second = User.objects.get(pk=parent.pk), User.objects.get(pk=parent.pk)

    assert last_active_update(user=first) is True
    # The second saw the old value too; its UPDATE matches nothing now.
    assert last_active_update(user=second) is False
