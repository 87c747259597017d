"""Errors you can see: a form sent with errors lands on its error summary, even far down
a long page on a phone, and each link in the summary takes you to its field."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import Feedback
from learning.services import completion_record
from tests.browser.helpers import assert_accessible, sign_in, sign_in_staff
from tests.factories import (
    ActivityFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    confirmed_totp_device,
    teacher_of,
)
from tests.learning.space_world import family_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]

FOCUSED_ID = "document.activeElement && document.activeElement.id"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 100) <= height


def test_a_refused_photo_on_a_phone_lands_on_the_summary_next_to_the_form(phone_page):
    family = family_world(activities=4)
    for activity in family.activities:
        activity.instructions = "Lift a log gently and count what you find.\n\n" * 6
        activity.save()
        completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    page = phone_page
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")

    last = family.activities[-1]
    card = page.locator(f"#activity-{last.pk}")
    card.get_by_label("Add a photo").set_input_files(
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"not really a photo"}
    )
    card.get_by_role("button", name=re.compile("^Save feedback")).click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("This file is not a photo we can read.")
    expect(page).to_have_title(re.compile("^Error: "))
    assert page.evaluate("window.scrollY") > 1000, "the summary is far down this page"
    assert in_view(page, summary)
    page.wait_for_function(f"{FOCUSED_ID} === 'error-summary'")
    # The summary is inside the form that was sent, under that activity.
    assert card.locator("#error-summary").count() == 1
    assert_accessible(page)

    summary.get_by_role("link", name=re.compile("not a photo")).click()

    photo = card.get_by_label("Add a photo")
    expect(photo).to_be_focused()
    assert in_view(page, photo)
    assert not Feedback.objects.exists()


def test_the_summary_lands_without_javascript_too(new_context):
    family = family_world(activities=4)
    for activity in family.activities:
        activity.instructions = "Lift a log gently and count what you find.\n\n" * 6
        activity.save()
        completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    page = new_context(phone=True, java_script_enabled=False).new_page()
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")

    card = page.locator(f"#activity-{family.activities[-1].pk}")
    card.get_by_label("Add a photo").set_input_files(
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"not really a photo"}
    )
    card.get_by_role("button", name=re.compile("^Save feedback")).click()

    page.wait_for_url(re.compile("#error-summary$"))
    assert in_view(page, page.locator("#error-summary"))


def test_each_link_in_the_summary_moves_focus_to_its_field(phone_page):
    school = SchoolFactory()
    teacher = teacher_of(SchoolClassFactory(school=school))
    topic = TopicFactory(school=school, title="Minibeasts")
    ActivityFactory(topic=topic)
    page = phone_page
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    page.goto(f"/topics/{topic.pk}/edit/")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("link", name="Give the topic a title.")).to_be_visible()
    page.wait_for_function(f"{FOCUSED_ID} === 'error-summary'")
    summary.get_by_role("link", name="Give the topic a title.").click()
    expect(page.get_by_label("Title")).to_be_focused()

    # A group of radio buttons: the link takes you to its first button, legend in view.
    page.goto(f"/topics/{topic.pk}/activities/new/")
    page.get_by_label("Title").fill("Bug hunt")
    page.evaluate("document.querySelectorAll('input[name=kind]').forEach(r => r.checked = false)")
    page.get_by_role("button", name="Add activity").click()
    link = page.locator("#error-summary").get_by_role("link")
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_role("radio").first).to_be_focused()
    assert in_view(page, page.locator("legend", has_text="Kind"))
    assert_accessible(page)
