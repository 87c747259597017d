"""The erasure page under account settings: it offers the download, says what goes
and what stays, asks for the word and the password, then erases and signs out; an
account with a staff role asks staff instead, once."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import processing_restriction_set
from consent.models import Purpose
from consent.services import consent_withdraw
from consent.wording import PURPOSE_STATEMENT
from privacy.models import PrivacyRequest
from schools.models import Pupil
from tests.factories import GuardianshipFactory, UserFactory, admin_of, sign_in_verified
from tests.privacy.erasure_world import PARENT_EMAIL, PASSWORD, family_world

pytestmark = pytest.mark.django_db

ERASE = "/account/data/erase/"


def _signed_in(client):
    family = family_world()
    client.force_login(family.parent)
    return family


def test_the_page_says_what_goes_and_what_stays_for_each_child(client):
    family = _signed_in(client)
    other = UserFactory()
    kept = GuardianshipFactory(parent=family.parent, pupil__school=family.school).pupil
    GuardianshipFactory(parent=other, pupil=kept)

    page = client.get(reverse("privacy:erase"))

    text = page.content.decode()
    assert page.status_code == 200 and reverse("privacy:erase") == ERASE
    assert f"{family.child.full_name}'s name, UPN and link to you" in text
    assert f"{kept.full_name} stays on the portal" in text
    assert 'class="button-danger"' in text and "Type ERASE to confirm" in text
    try:
        download = reverse("privacy:download")
    except NoReverseMatch:
        download = None
    if download:
        assert f'href="{download}"' in text


@pytest.mark.parametrize(
    "data, error",
    [
        ({"confirmation": "erase me", "password": PASSWORD}, "Type ERASE to confirm."),
        ({"confirmation": "ERASE", "password": "wrong"}, "That is not your password."),
        ({}, "This field is required."),
    ],
)
def test_a_wrong_word_or_password_changes_nothing(client, data, error):
    family = _signed_in(client)

    page = client.post(ERASE, data)

    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="error-summary"' in text and error in text
    assert User.objects.get(pk=family.parent.pk).email == PARENT_EMAIL
    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is None


def test_erasing_signs_the_parent_out_for_good(client):
    family = _signed_in(client)

    response = client.post(ERASE, {"confirmation": " erase ", "password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("privacy:erased")
    landing = client.get(response.url)
    assert "Your data has been erased" in landing.content.decode()
    settings_page = client.get(reverse("accounts:settings"))
    assert settings_page.status_code == 302 and "/accounts/login/" in settings_page.url
    assert User.objects.get(pk=family.parent.pk).email is None
    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is not None
    assert not client.login(username=PARENT_EMAIL, password=PASSWORD)


def test_a_large_family_lands_on_the_page_saying_the_erasure_is_under_way(client, monkeypatch):
    from privacy.selectors import erasure as erasure_selectors

    monkeypatch.setattr(erasure_selectors, "ERASE_AT_ONCE_MAX_EVENTS", -1)
    family = _signed_in(client)

    response = client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})

    assert response.url == reverse("privacy:erased") + "?in_progress=1"
    assert "Your data is being erased" in client.get(response.url).content.decode()
    assert User.objects.get(pk=family.parent.pk).closed_at is not None


def test_a_restricted_parent_can_still_erase(client):
    family = _signed_in(client)
    processing_restriction_set(user=family.parent, restricted=True, actor=family.parent)

    assert client.get(ERASE).status_code == 200
    client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})

    assert User.objects.get(pk=family.parent.pk).email is None


def test_a_parent_who_withdrew_consent_can_still_reach_the_page(client):
    family = _signed_in(client)
    consent_withdraw(
        user=family.parent,
        purpose=Purpose.PLATFORM,
        wording=PURPOSE_STATEMENT[Purpose.PLATFORM],
        method="settings",
    )
    assert client.get(reverse("accounts:settings")).status_code == 302  # the gate stops it

    assert client.get(ERASE).status_code == 200


def test_a_staff_account_asks_and_a_second_visit_opens_no_second_request(client):
    family = family_world()
    admin = admin_of(family.school)
    sign_in_verified(client, admin)

    page = client.get(ERASE).content.decode()
    assert "we answer within 30 days" in page and "Ask us to erase my data" in page

    response = client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(kind="erasure")
    assert (request.kind, request.subject_user, request.requester) == ("erasure", admin, admin)
    assert (request.due_at - request.received_at).days == 30

    again = client.get(ERASE).content.decode()
    assert request.due_at.astimezone(timezone.get_current_timezone()).strftime("%Y") in again
    assert "We will answer it by" in again
    client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})
    assert PrivacyRequest.objects.filter(kind="erasure").count() == 1
    assert User.objects.get(pk=admin.pk).email == admin.email  # nothing erased


def test_platform_staff_ask_too(client):
    staff = UserFactory(is_staff=True)
    sign_in_verified(client, staff)

    client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})

    assert PrivacyRequest.objects.filter(subject_user=staff, kind="erasure").exists()
    assert User.objects.get(pk=staff.pk).is_active


def test_account_settings_lead_to_the_page(client):
    _signed_in(client)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "Your data" in page
    try:  # through the "Your data" page, where the portal has one
        your_data = reverse("privacy:my_data")
    except NoReverseMatch:
        your_data = None
    if your_data and f'href="{your_data}"' in page:
        page = client.get(your_data).content.decode()
    assert f'href="{ERASE}"' in page


def test_the_landing_page_is_public(client):
    assert client.get(reverse("privacy:erased")).status_code == 200


def test_the_schools_audit_log_names_an_erased_parent_as_an_erased_account(client):
    family = _signed_in(client)
    client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})
    sign_in_verified(client, family.admin)

    page = client.get(reverse("audit:school_log", args=[family.school.pk])).content.decode()

    assert "Pupil: anonymise" in page
    assert f"Erased account #{family.parent.pk}" in page and "None" not in page


def test_staff_pages_list_no_anonymised_pupil_but_the_class_view_counts_its_work(client):
    family = _signed_in(client)
    client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})
    sign_in_verified(client, family.teacher)

    class_page = client.get(reverse("schools:class_detail", args=[family.school_class.pk]))
    dashboard = client.get(reverse("engagement:teacher_dashboard"))

    assert "No pupils in this class." in class_page.content.decode()
    summary = dashboard.context["summaries"][0]
    assert (summary.pupils, summary.completions_30_days) == (0, 2)
    assert [item.completions for item in dashboard.context["work"]] == [2]
    for page in (class_page, dashboard):
        text = page.content.decode()
        assert "Anonymised pupil" not in text and family.child.first_name not in text


def test_many_wrong_passwords_are_slowed_down_and_nothing_is_erased(client):
    family = _signed_in(client)
    for _ in range(10):
        page = client.post(ERASE, {"confirmation": "ERASE", "password": "wrong-guess"})
        assert page.status_code == 200

    page = client.post(ERASE, {"confirmation": "ERASE", "password": PASSWORD})

    assert page.status_code == 429
    assert "Wait a minute" in page.content.decode()
    assert User.objects.get(pk=family.parent.pk).email == PARENT_EMAIL
    assert Pupil.objects.get(pk=family.child.pk).anonymised_at is None
