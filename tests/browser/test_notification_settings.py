"""A parent's notification settings in a real browser, on a phone: axe-clean, and
a choice saved by the labels a person reads."""

import pytest
from playwright.sync_api import expect

from notifications.models import NotificationPreference
from tests.browser.helpers import assert_accessible, sign_in
from tests.consent.notices import published_notice, registered_parent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_turns_texts_off_from_the_footer_link_on_a_phone(phone_page):
    published_notice(version="1.0")
    parent = registered_parent()
    parent.mobile = "+447700900123"
    parent.save(update_fields=["mobile"])
    sign_in(phone_page, parent.email)

    phone_page.get_by_role("link", name="Notification settings").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    email = phone_page.get_by_role("checkbox", name="Email")
    texts = phone_page.get_by_role("checkbox", name="Text message (SMS)")
    expect(email).to_be_checked()
    expect(texts).to_be_checked()
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360

    texts.uncheck()
    phone_page.get_by_role("button", name="Save settings").click()

    expect(phone_page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(phone_page.get_by_role("checkbox", name="Text message (SMS)")).not_to_be_checked()
    assert_accessible(phone_page)
    preference = NotificationPreference.objects.get(user=parent)
    assert (preference.engagement_email, preference.engagement_sms) == (True, False)
