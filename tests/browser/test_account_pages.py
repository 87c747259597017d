"""Account settings and the second-factor page on a 360 px phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, enter_totp, sign_in
from tests.consent.notices import published_notice, registered_parent
from tests.factories import SchoolClassFactory, confirmed_totp_device, teacher_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_parent_changes_their_name_in_account_settings_on_a_phone(phone_page):
    published_notice(version="1.0")
    parent = registered_parent()
    sign_in(phone_page, parent.email)

    phone_page.get_by_role("link", name="Your account").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Your account")
    for name in ("Name", "Email address", "Mobile number", "Password", "Where you are signed in"):
        expect(phone_page.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(phone_page.get_by_role("button", name="Sign out everywhere else")).to_be_visible()
    _no_sideways_scroll(phone_page)
    assert_accessible(phone_page)

    phone_page.get_by_label("First name").fill("Annabel")
    phone_page.get_by_role("button", name="Save name").click()

    expect(phone_page.get_by_text("Your name is saved.")).to_be_visible()
    parent.refresh_from_db()
    assert parent.first_name == "Annabel"
    _no_sideways_scroll(phone_page)


def test_the_second_factor_page_shows_no_staff_menu_on_a_phone(phone_page):
    teacher = teacher_of(SchoolClassFactory(), email="teacher@example.org")
    device = confirmed_totp_device(teacher)

    sign_in(phone_page, teacher.email)

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    header = phone_page.locator("header.site-header")
    expect(header.get_by_role("link", name="My classes")).to_have_count(0)
    expect(header.get_by_role("link", name="Privacy and consent")).to_have_count(0)
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    expect(phone_page.get_by_text("Successfully signed in")).to_have_count(0)
    _no_sideways_scroll(phone_page)
    assert_accessible(phone_page)

    enter_totp(phone_page, device)

    expect(header.get_by_role("link", name="My classes")).to_be_visible()
    _no_sideways_scroll(phone_page)
