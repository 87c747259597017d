"""The consent and cookie pages in a real browser: axe-clean, on a phone, with and
without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from consent.cookies import PREFERENCES_COOKIE
from consent.models import Purpose
from consent.selectors import consent_current
from tests.browser.helpers import assert_accessible, sign_in
from tests.consent.notices import published_notice, registered_parent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COOKIE_BANNER = "Cookies on the Home Learning Portal"


def preferences(context) -> str | None:
    for cookie in context.cookies():
        if cookie["name"] == PREFERENCES_COOKIE:
            return cookie["value"]
    return None


def test_the_cookie_banner_saves_a_choice_without_leaving_the_page(phone_page):
    phone_page.goto("/accounts/login/")
    banner = phone_page.get_by_role("region", name=COOKIE_BANNER)
    expect(banner).to_be_visible()
    banner.get_by_text("Choose which cookies").click()
    expect(banner.get_by_role("checkbox", name="Performance cookies")).not_to_be_checked()
    assert_accessible(phone_page)

    banner.get_by_role("button", name="Reject optional cookies").click()

    expect(banner.get_by_text("Your cookie choices were saved.")).to_be_visible()
    assert phone_page.url.endswith("/accounts/login/")
    assert preferences(phone_page.context) == "performance:0|functional:0"
    assert_accessible(phone_page)
    banner.get_by_role("button", name="Hide this message").click()
    expect(banner).to_be_hidden()
    phone_page.reload()
    expect(phone_page.get_by_role("region", name=COOKIE_BANNER)).to_have_count(0)


def test_the_cookie_banner_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/privacy/notice/")
    banner = page.get_by_role("region", name=COOKIE_BANNER)

    banner.get_by_text("Choose which cookies").click()
    banner.get_by_role("checkbox", name="Functional cookies").check()
    banner.get_by_role("button", name="Save my choices").click()

    page.wait_for_url(re.compile(r"/privacy/notice/$"))
    expect(page.get_by_text("Your cookie choices were saved.")).to_be_visible()
    expect(page.get_by_role("region", name=COOKIE_BANNER)).to_have_count(0)
    assert preferences(page.context) == "performance:0|functional:1"


def test_the_notice_and_cookie_pages_have_no_axe_violations(page):
    published_notice(version="1.0", text="First.\n\nSecond paragraph.")
    published_notice(version="1.1", text="Newer.")

    page.goto("/privacy/notice/")
    expect(page.get_by_role("heading", level=1, name="Privacy notice")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Version 1.0").click()
    expect(page.get_by_text("This is an earlier version.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    expect(page.get_by_role("heading", level=1, name="Cookies")).to_be_visible()
    expect(page.get_by_role("cell", name="csrftoken")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Performance cookies").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your cookie choices were saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Performance cookies")).to_be_checked()
    assert_accessible(page)


def test_a_parent_reads_a_new_notice_and_changes_a_consent_on_a_phone(phone_page):
    parent = registered_parent(published_notice(version="1.0"))
    published_notice(version="1.1", summary_of_changes="We keep photos for 2 years, not 3.")

    sign_in(phone_page, parent.email)
    expect(
        phone_page.get_by_role("heading", name="We have updated our privacy notice")
    ).to_be_visible()
    expect(phone_page.get_by_text("We keep photos for 2 years, not 3.")).to_be_visible()
    assert_accessible(phone_page)

    phone_page.get_by_role("contentinfo").get_by_role("link", name="Privacy and consent").click()
    expect(phone_page.get_by_role("heading", level=1, name="Privacy and consent")).to_be_visible()
    assert_accessible(phone_page)

    phone_page.get_by_role("button", name="Give consent for Marketing email").click()
    expect(phone_page.get_by_text("You gave consent: Marketing email.")).to_be_visible()
    expect(
        phone_page.get_by_role("button", name="Withdraw consent for Marketing email")
    ).to_be_visible()
    assert consent_current(user=parent, purpose=Purpose.MARKETING_EMAIL) is True
    assert_accessible(phone_page)

    phone_page.get_by_role("button", name="I have read this, continue").click()
    expect(
        phone_page.get_by_role("heading", name="We have updated our privacy notice")
    ).to_have_count(0)


def test_a_notice_requiring_reconsent_is_agreed_to_before_anything_else(phone_page):
    parent = registered_parent(published_notice(version="1.0"))
    published_notice(version="2.0", requires_reconsent=True, summary_of_changes="New provider.")

    sign_in(phone_page, parent.email)
    expect(
        phone_page.get_by_role("heading", level=1, name="Please read our updated privacy notice")
    ).to_be_visible()
    assert_accessible(phone_page)

    phone_page.get_by_role("button", name="Agree and continue").click()
    summary = phone_page.locator("#error-summary")
    expect(summary.get_by_role("link", name="Tick the box to agree, or sign out.")).to_be_visible()
    expect(summary).to_be_focused()
    assert phone_page.title().startswith("Error: ")
    assert_accessible(phone_page)

    phone_page.get_by_role("checkbox", name=re.compile("version 2.0 of the privacy notice")).check()
    phone_page.get_by_role("button", name="Agree and continue").click()
    expect(phone_page.get_by_role("heading", level=1, name="My children")).to_be_visible()
