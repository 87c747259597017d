"""Errors you can see: a form sent with errors lands on its error summary, even far down
a long page on a phone, and each link in the summary takes you to its field."""

import re

import pytest
from playwright.sync_api import expect

from invitations.services import invitations_create
from learning.models import Feedback
from learning.services import completion_record
from tests.browser.helpers import (
    CODE_LABEL,
    assert_accessible,
    assert_descriptions_exist,
    sign_in,
    sign_in_staff,
)
from tests.factories import (
    ActivityFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox
from tests.learning.space_world import long_topic_world

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


def long_topic_done_and_open(page):
    """A parent signed in on ``page`` with a long topic open, every activity done:
    its last activity's form sits far down the page."""
    family = long_topic_world()
    for activity in family.activities:
        completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")
    return family


def test_a_refused_photo_on_a_phone_lands_on_the_summary_next_to_the_form(phone_page):
    page = phone_page
    family = long_topic_done_and_open(page)

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
    family = long_topic_world()
    for activity in family.activities:
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


# The forms a person meets first: the page lands on the summary, its title says "Error".


def assert_lands_on_summary(page) -> None:
    page.wait_for_function(f"{FOCUSED_ID} === 'error-summary'")
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator("#error-summary")
    assert in_view(page, summary)
    assert_descriptions_exist(page)
    assert_accessible(page)


def test_a_wrong_sign_in_lands_on_the_summary(page):
    user = UserFactory()
    page.goto("/accounts/login/")
    assert_descriptions_exist(page)  # the password field names no missing help text
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    assert_lands_on_summary(page)


def test_a_wrong_second_factor_code_lands_on_the_summary(page):
    teacher = teacher_of(SchoolClassFactory())
    confirmed_totp_device(teacher)
    sign_in(page, teacher.email)
    page.get_by_label(CODE_LABEL).fill("000000")
    page.get_by_role("button", name="Continue").click()

    assert_lands_on_summary(page)
    page.locator("#error-summary").get_by_role("link").first.click()
    expect(page.get_by_label(CODE_LABEL)).to_be_focused()


def test_joining_without_the_platform_consent_lands_on_the_summary(
    phone_page, django_capture_on_commit_callbacks
):
    school = SchoolFactory()
    admin = admin_of(school)
    parent = imported_parent(first_name="Dana", last_name="Ortiz")
    link_unconfirmed(parent, PupilFactory(school=school, first_name="Amy"))
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(
            school=school, pupils=[parent.guardianships.get().pupil], channels="email", actor=admin
        )
    page = phone_page
    page.goto(f"/invitations/{token_from_outbox()}/")
    page.get_by_label("Choose a password").fill("a-long-new-password-42")
    page.get_by_label("Type the password again").fill("a-long-new-password-42")
    page.get_by_role("button", name=re.compile("^Join")).click()

    assert_lands_on_summary(page)


def test_a_password_reset_for_a_mistyped_address_lands_on_the_summary(page):
    page.goto("/accounts/password/reset/")
    page.get_by_label(re.compile("email", re.IGNORECASE)).fill("pat.example.org")
    page.get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()

    assert_lands_on_summary(page)


def test_empty_feedback_on_a_phone_lands_on_the_summary_next_to_the_form(phone_page):
    page = phone_page
    family = long_topic_done_and_open(page)
    card = page.locator(f"#activity-{family.activities[-1].pk}")
    card.get_by_role("button", name=re.compile("^Save feedback")).click()

    assert_lands_on_summary(page)
    summary = card.locator("#error-summary")
    expect(summary).to_contain_text("Choose a rating, write a comment or add a photo.")
    assert page.evaluate("window.scrollY") > 1000, "the summary is far down this page"
    summary.get_by_role("link").click()
    expect(card.get_by_role("radio").first).to_be_focused()
