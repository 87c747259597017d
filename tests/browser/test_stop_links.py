"""A parent taps "Stop messages about awards" in an email on their phone: the
page says it is done, with no sign-in, and one more tap turns them back on."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from notifications.models import NotificationPreference, Topic
from notifications.stop_links import stop_url
from tests.browser.helpers import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stopping_and_turning_back_on_from_a_phone(phone_page):
    parent = UserFactory(email="gwen.ap.rhys@example.org")
    link = urlsplit(stop_url(user_id=parent.pk, scope=Topic.AWARDS)).path

    phone_page.goto(link)

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Messages stopped")
    expect(phone_page.get_by_text("messages about the awards your child earns")).to_be_visible()
    assert NotificationPreference.objects.get(user=parent).awards is False
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone_page)

    phone_page.get_by_role("button", name="Turn them back on").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Messages turned back on")
    assert NotificationPreference.objects.get(user=parent).awards is True
    assert_accessible(phone_page)


def test_a_broken_link_says_so(phone_page):
    phone_page.goto("/stop/not-a-real-token/")

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(phone_page)
