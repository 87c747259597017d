"""The second-factor pages: no staff menu or "signed in" message before the code,
a right code after a wrong one (or the exact wait), backup codes on paper or file."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.services import backup_codes_regenerate
from tests.accounts.test_two_factor import PASSWORD, code_for
from tests.factories import SchoolClassFactory, confirmed_totp_device, teacher_of

pytestmark = pytest.mark.django_db

VERIFY = "/two-factor/verify/"


@pytest.fixture
def teacher():
    return teacher_of(SchoolClassFactory(name="Oak"), email="teacher@example.org")


def _signed_in_with_password(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"], follow=True)


def test_before_the_second_factor_there_is_no_staff_menu_and_no_signed_in_message(client, teacher):
    confirmed_totp_device(teacher)

    page = _signed_in_with_password(client, teacher)

    html = page.content.decode()
    assert page.redirect_chain[-1][0].startswith(VERIFY)
    assert "Enter your sign-in code" in html
    assert "My classes" not in html
    assert "Topics" not in html
    assert "Privacy and consent</a>" not in html.split("<main")[0]
    assert "Successfully signed in" not in html
    assert "Sign out" in html, "a way out stays"


def test_after_the_second_factor_the_menu_appears(client, teacher):
    device = confirmed_totp_device(teacher)
    _signed_in_with_password(client, teacher)

    page = client.post(VERIFY, {"token": code_for(device)}, follow=True)

    html = page.content.decode()
    assert "My classes" in html
    assert "You are signed in." in html


def test_setup_page_shows_no_staff_menu_either(client, teacher):
    page = _signed_in_with_password(client, teacher)

    assert page.redirect_chain[-1][0].startswith("/two-factor/setup/")
    assert "My classes" not in page.content.decode()


def test_a_parent_still_gets_the_signed_in_message(client):
    from tests.factories import GuardianshipFactory

    parent = GuardianshipFactory(parent__email="parent@example.org").parent

    page = _signed_in_with_password(client, parent)

    assert "Successfully signed in" in page.content.decode()


def test_just_after_a_wrong_code_the_page_says_exactly_how_long_to_wait(client, teacher):
    device = confirmed_totp_device(teacher)
    _signed_in_with_password(client, teacher)

    wrong = client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})
    right_at_once = client.post(VERIFY, {"token": code_for(device)})

    assert "That code is not valid. Wait 1 second, then try" in wrong.content.decode()
    assert "Wait 1 second," in right_at_once.content.decode()
    assert right_at_once.status_code == 200


def test_a_right_code_once_the_wait_is_over_is_accepted(client, teacher):
    device = confirmed_totp_device(teacher)
    _signed_in_with_password(client, teacher)
    client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=2)
    device.save()

    response = client.post(VERIFY, {"token": code_for(device)})

    assert response.status_code == 302
    assert client.get(reverse("schools:teacher_classes")).status_code == 200


def test_a_mistyped_app_code_does_not_lock_the_backup_codes(client, teacher):
    device = confirmed_totp_device(teacher)
    codes = backup_codes_regenerate(user=teacher)
    _signed_in_with_password(client, teacher)
    client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})

    response = client.post(VERIFY, {"token": codes[0]})

    assert response.status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()


def test_the_wait_grows_and_is_stated_in_seconds(client, teacher):
    device = confirmed_totp_device(teacher)
    device.throttling_failure_count = 4
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    _signed_in_with_password(client, teacher)

    response = client.post(VERIFY, {"token": code_for(device)})

    assert "Wait 8 seconds" in response.content.decode()


def _new_codes(staff_client, teacher):
    client = staff_client(teacher)
    page = client.post(reverse("accounts:two_factor_backup_codes"))
    assert page.status_code == 200
    tokens = list(
        StaticToken.objects.filter(
            device__in=StaticDevice.objects.filter(user=teacher)
        ).values_list("token", flat=True)
    )
    return client, page, tokens


def test_new_backup_codes_can_be_printed_and_downloaded(staff_client, teacher):
    client, page, tokens = _new_codes(staff_client, teacher)
    html = page.content.decode()
    assert "data-print" in html and "js/print.js" in html
    assert reverse("accounts:two_factor_backup_codes_download") in html

    download = client.get(reverse("accounts:two_factor_backup_codes_download"))

    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/plain")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download["Cache-Control"]
    body = download.content.decode()
    assert all(token in body for token in tokens)


def test_codes_cannot_be_downloaded_later_or_without_new_codes(staff_client, teacher):
    client = staff_client(teacher)
    assert client.get(reverse("accounts:two_factor_backup_codes_download")).status_code == 404

    client, _, _ = _new_codes(staff_client, teacher)
    session = client.session
    session["accounts.backup_codes"]["at"] -= 16 * 60
    session.save()

    assert client.get(reverse("accounts:two_factor_backup_codes_download")).status_code == 404


def test_print_stylesheet_hides_the_header_and_buttons():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text()
    block = css[css.index("@media print") :]
    assert ".site-header" in block and ".no-print" in block
