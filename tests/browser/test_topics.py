"""A teacher writes a topic for their school in plain forms, on a laptop, and every
page of the way has no axe-core violations."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import Topic
from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.factories import (
    ActivityFactory,
    SchoolClassFactory,
    TopicFactory,
    confirmed_totp_device,
    teacher_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_writes_a_topic_with_ordered_activities(page):
    teacher = teacher_of(SchoolClassFactory(name="Robins"))
    library = TopicFactory(title="Counting in the kitchen")
    ActivityFactory(
        topic=library,
        kind="video",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        instructions="Watch, then **count** with us:\n\n- spoons\n- forks",
    )
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    page.get_by_role("link", name="Topics", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Topics")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Year group").select_option(label="Year 3")
    page.get_by_role("button", name="Show topics").click()
    page.get_by_role("link", name="Counting in the kitchen").click()
    expect(page.get_by_text("from the library, so it cannot be changed here")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Play the video"))).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)
    assert_accessible(page)

    page.goto("/topics/")
    page.get_by_role("link", name="Write a topic").click()
    page.get_by_label("Title").fill("Our river walk")
    page.get_by_label("Subject").select_option(label="Geography")
    page.get_by_label("From year group").select_option(label="Year 4")
    page.get_by_label("To year group").select_option(label="Year 2")
    page.get_by_role("button", name="Create topic").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Choose a year group no earlier than the first."
    )
    assert_accessible(page)

    page.get_by_label("To year group").select_option(label="Year 6")
    page.get_by_role("button", name="Create topic").click()
    expect(page.get_by_role("heading", level=1, name="Our river walk")).to_be_visible()

    for title, kind in (("Pack a bag", "Activity"), ("River quiz", "Game")):
        page.get_by_role("link", name="Add an activity").click()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Instructions").fill("Take a *drink* and a hat.")
        if kind == "Game":
            page.get_by_role("button", name="Add activity").click()
            expect(page.locator("#error-summary")).to_contain_text("Give the game's address.")
            assert_accessible(page)
            page.get_by_label("Game address").fill("https://example.org/river-quiz")
        page.get_by_role("button", name="Add activity").click()
        expect(page.get_by_role("heading", level=3, name=re.compile(title))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Move up River quiz").click()
    headings = page.locator(".activity-list h3")
    expect(headings.first).to_contain_text("River quiz")
    assert_accessible(page)

    topic = Topic.objects.get(title="Our river walk")
    assert list(topic.activities.order_by("position").values_list("title", flat=True)) == [
        "River quiz",
        "Pack a bag",
    ]
