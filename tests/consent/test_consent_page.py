"""A parent's "Privacy and consent" page: every consent, when and how, one click to change."""

import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.cookies import PREFERENCES_COOKIE
from consent.models import ConsentRecord, Method, Purpose
from consent.selectors import consent_current
from consent.services import consent_grant, consent_withdraw
from consent.wording import PURPOSE_STATEMENT, WITHDRAW_EFFECT
from tests.consent.notices import registered_parent
from tests.factories import SchoolClassFactory, teacher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(notice):
    return registered_parent(notice)


def change(client, purpose, action, **extra):
    return client.post(
        reverse("consent:privacy_consent_change"),
        {"purpose": purpose, "action": action, **extra},
    )


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(reverse("consent:privacy_consents"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_each_consent_is_listed_with_its_state_and_when_and_how_it_was_given(client, parent):
    client.force_login(parent)
    given_at = timezone.localtime(ConsentRecord.objects.get(user=parent).created_at)

    page = html_lib.unescape(client.get(reverse("consent:privacy_consents")).content.decode())

    for purpose in Purpose:
        assert purpose.label in page
    state = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert (
        f"Given on {given_at.day} {given_at:%B %Y at %H:%M}, when registering, "
        "under privacy notice version 1.0." in state
    )
    assert "Given Given" not in state
    assert page.count("Not given") == 4  # every optional purpose starts off
    assert page.count("Give consent") == 4
    assert page.count("Withdraw consent") == 1


def test_giving_a_consent_records_the_words_shown_and_applies_at_once(client, parent, notice):
    client.force_login(parent)
    page = html_lib.unescape(client.get(reverse("consent:privacy_consents")).content.decode())
    assert PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL] in page

    response = change(client, Purpose.MARKETING_EMAIL, "grant")

    assert response.status_code == 302
    record = ConsentRecord.objects.filter(user=parent).latest("id")
    assert (record.purpose, record.granted, record.method) == (
        Purpose.MARKETING_EMAIL,
        True,
        Method.SETTINGS,
    )
    assert record.wording == PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL]
    assert record.notice == notice
    assert consent_current(user=parent, purpose=Purpose.MARKETING_EMAIL) is True
    followed = client.get(response.url).content.decode()
    assert "You gave consent: Marketing email." in followed


def test_withdrawing_is_one_click_and_keeps_the_earlier_record(client, parent):
    consent_grant(
        user=parent,
        purpose=Purpose.MEDIA_PROMOTION,
        wording=PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION],
        method=Method.REGISTRATION,
    )
    client.force_login(parent)

    change(client, Purpose.MEDIA_PROMOTION, "withdraw")

    records = ConsentRecord.objects.filter(user=parent, purpose=Purpose.MEDIA_PROMOTION)
    assert [r.granted for r in records.order_by("id")] == [True, False]
    assert consent_current(user=parent, purpose=Purpose.MEDIA_PROMOTION) is False
    page = client.get(reverse("consent:privacy_consents")).content.decode()
    assert "Withdrawn on" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_a_repeated_click_writes_nothing_more(client, parent):
    client.force_login(parent)

    change(client, Purpose.MARKETING_EMAIL, "grant")
    change(client, Purpose.MARKETING_EMAIL, "grant")

    assert ConsentRecord.objects.filter(user=parent, purpose=Purpose.MARKETING_EMAIL).count() == 1


def test_changes_are_posted_with_a_csrf_token(parent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(parent)

    response = change(client, Purpose.MARKETING_EMAIL, "grant")

    assert response.status_code == 403
    assert consent_current(user=parent, purpose=Purpose.MARKETING_EMAIL) is False


def test_a_change_cannot_be_made_with_a_get(client, parent):
    client.force_login(parent)

    response = client.get(
        reverse("consent:privacy_consent_change"), {"purpose": "marketing_email", "action": "grant"}
    )

    assert response.status_code == 405
    assert consent_current(user=parent, purpose=Purpose.MARKETING_EMAIL) is False


def test_an_unknown_purpose_changes_nothing(client, parent):
    client.force_login(parent)

    response = change(client, "sell_my_data", "grant")

    assert response.status_code == 302
    assert ConsentRecord.objects.filter(user=parent).count() == 1


def test_withdrawing_platform_consent_stops_the_portal_from_the_next_request(client, parent):
    client.force_login(parent)
    page = html_lib.unescape(client.get(reverse("consent:privacy_consents")).content.decode())
    assert WITHDRAW_EFFECT[Purpose.PLATFORM] in page

    change(client, Purpose.PLATFORM, "withdraw", confirmed="on")
    response = client.get(reverse("schools:parent_home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("consent:privacy_reconsent"))
    assert consent_current(user=parent, purpose=Purpose.PLATFORM) is False
    agree_page = client.get(response.url).content.decode()
    assert "You withdrew your consent" in agree_page


def test_staff_without_platform_consent_see_no_platform_row(staff_client):
    teacher = teacher_of(SchoolClassFactory())
    client = staff_client(teacher)

    page = client.get(reverse("consent:privacy_consents")).content.decode()

    assert "Using the platform" not in page
    assert "Marketing email" in page


def test_a_cookie_choice_made_here_is_also_remembered_on_the_device(client, parent):
    client.force_login(parent)

    response = change(client, Purpose.COOKIES_FUNCTIONAL, "grant")

    assert response.cookies[PREFERENCES_COOKIE].value == "performance:0|functional:1"
    assert ConsentRecord.objects.get(user=parent, purpose=Purpose.COOKIES_FUNCTIONAL).notice is None


@pytest.mark.parametrize("records", [1, 30])
def test_the_page_makes_the_same_number_of_queries_however_long_the_ledger(
    client, notice, records, django_assert_num_queries
):
    parent = registered_parent(notice)
    purposes = [Purpose.MARKETING_EMAIL, Purpose.MEDIA_PROMOTION, Purpose.COOKIES_FUNCTIONAL]
    for index in range(records - 1):
        record = consent_grant if index % 2 == 0 else consent_withdraw
        record(user=parent, purpose=purposes[index % 3], wording="x", method=Method.SETTINGS)
    assert ConsentRecord.objects.filter(user=parent).count() == records
    client.force_login(parent)

    # session, user, 2FA check (memberships), consent status, the ledger, whether
    # this is a staff account (memberships), and the header's navigation (is the
    # user a parent? their memberships)
    with django_assert_num_queries(8):
        response = client.get(reverse("consent:privacy_consents"))

    assert response.status_code == 200
    assert response.content.decode().count("<h2>") == len(Purpose)
