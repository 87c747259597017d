"""Confirmations where the person is: after "We did this" or "Save feedback" far down a
long topic on a phone, the confirmation shows on that activity, in view, and the focus
is on it (a status message), not only in the status area at the top of the page."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import Completion, Feedback
from tests.browser.helpers import assert_accessible, assert_descriptions_exist, sign_in
from tests.learning.space_world import long_topic_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def assert_confirmed_in_place(page, card, text: str) -> None:
    confirmation = card.get_by_role("status").filter(has_text=text)
    expect(confirmation).to_have_count(1)
    expect(confirmation).to_be_focused()
    assert in_view(page, confirmation), "the confirmation is on screen"
    assert page.evaluate("window.scrollY") > 1000, "far down the page"
    # Not (only) in the status area at the top of the page.
    expect(page.locator(".messages")).to_have_count(0)


def test_we_did_this_and_save_feedback_confirm_on_the_activity_on_a_phone(phone_page):
    family = long_topic_world()
    last = family.activities[-1]
    page = phone_page
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")
    card = page.locator(f"#activity-{last.pk}")

    card.get_by_role("button", name=re.compile("^We did this")).click()

    assert_confirmed_in_place(page, card, "is marked as done")
    assert Completion.objects.filter(activity=last).exists()
    assert_accessible(page)
    assert_descriptions_exist(page)

    card.get_by_label("Comment for the teacher").fill("We found eleven woodlice.")
    card.get_by_role("button", name=re.compile("^Save feedback")).click()

    assert_confirmed_in_place(page, card, "your feedback is saved")
    assert Feedback.objects.filter(activity=last).exists()
    assert_accessible(page)


def test_without_javascript_the_page_opens_at_the_confirmation(new_context):
    family = long_topic_world()
    last = family.activities[-1]
    page = new_context(phone=True, java_script_enabled=False).new_page()
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")

    page.locator(f"#activity-{last.pk}").get_by_role(
        "button", name=re.compile("^We did this")
    ).click()

    page.wait_for_url(re.compile(f"#confirmation-{last.pk}$"))
    assert in_view(page, page.locator(f"#confirmation-{last.pk}"))
