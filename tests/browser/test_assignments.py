"""A teacher sets a topic for a class from the topic's page and follows how the
families are getting on, on a laptop and on a phone; every page of the way has no
axe-core violations."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from learning.models import Assignment, Completion
from learning.services import school_today
from notifications.models import Message
from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    confirmed_totp_device,
    teacher_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _class_with_families():
    school = SchoolFactory(name="Alder Primary")
    robins = SchoolClassFactory(school=school, name="Robins")
    SchoolClassFactory(school=school, name="Wrens").teachers.add(teacher := teacher_of(robins))
    topic = TopicFactory(title="Minibeasts in the garden")
    first = ActivityFactory(topic=topic, title="Look under a stone")
    ActivityFactory(topic=topic, title="Draw a snail")
    for name in ("Amelia", "Bartholomew"):
        pupil = PupilFactory(school=school, school_class=robins, first_name=name)
        GuardianshipFactory(
            pupil=pupil, parent=UserFactory(first_name=f"Parent of {name}", last_name="Jones")
        )
    Completion.objects.create(pupil=robins.pupils.get(first_name="Amelia"), activity=first)
    return teacher, topic


def _set_topic_for_robins(page, topic):
    page.get_by_role("link", name="Topics", exact=True).click()
    page.get_by_role("link", name=topic.title).click()
    page.get_by_role("link", name="Set this topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Set “{topic.title}”")
    assert_accessible(page)

    page.get_by_label("Robins (Year 3)").check()
    start = school_today()
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Due date").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Set this topic").click()
    expect(
        page.get_by_text("The due date must be on or after the start date.").first
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing was set")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Due date").fill((start + timedelta(days=7)).isoformat())
    page.get_by_label("Message to families (optional)").fill("Go on a bug hunt!")
    page.get_by_role("button", name="Set this topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{topic.title} for Robins")


def test_a_teacher_sets_a_topic_and_sees_each_family_on_a_laptop(page):
    teacher, topic = _class_with_families()
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    _set_topic_for_robins(page, topic)

    expect(page.get_by_text("set for Robins. Families are told today.")).to_be_visible()
    expect(page.get_by_role("row", name="Amelia")).to_contain_text("Started")
    expect(page.get_by_role("row", name="Amelia")).to_contain_text("Parent of Amelia Jones")
    expect(page.get_by_role("row", name="Bartholomew")).to_contain_text("Not opened")
    assert_accessible(page)
    assignment = Assignment.objects.get()
    assert assignment.start_notified_at is not None
    assert Message.objects.filter(reference=f"assignment:{assignment.pk}").count() == 2

    page.get_by_role("link", name="1 started").click()
    expect(page.get_by_role("row", name="Bartholomew")).to_have_count(0)
    page.get_by_role("link", name="Work set", exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name="Work set")).to_be_visible()
    expect(page.get_by_text("1 started")).to_be_visible()
    assert_accessible(page)


def test_work_set_pages_read_well_on_a_phone(phone_page):
    teacher, topic = _class_with_families()
    sign_in_staff(phone_page, teacher, confirmed_totp_device(teacher))

    phone_page.goto(f"/topics/{topic.pk}/set/")
    phone_page.get_by_label("Robins (Year 3)").check()
    starts = school_today() + timedelta(days=2)
    phone_page.get_by_label("Start date").fill(starts.isoformat())
    phone_page.get_by_label("Due date").fill((starts + timedelta(days=7)).isoformat())
    phone_page.get_by_role("button", name="Set this topic").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(f"{topic.title} for Robins")
    expect(phone_page.get_by_text("Families will be told on")).to_be_visible()
    assert_accessible(phone_page)
    assert _fits(phone_page)

    phone_page.get_by_role("link", name="Change dates or message").click()
    phone_page.get_by_label("Message to families (optional)").fill("Bring a magnifying glass.")
    phone_page.get_by_role("button", name="Save changes").click()
    expect(phone_page.get_by_text("Bring a magnifying glass.")).to_be_visible()
    assert_accessible(phone_page)
    assert _fits(phone_page)

    phone_page.goto("/assignments/")
    assert_accessible(phone_page)
    assert _fits(phone_page)

    phone_page.goto(f"/assignments/{Assignment.objects.get().pk}/")
    phone_page.get_by_role("link", name="Withdraw").click()
    assert_accessible(phone_page)
    phone_page.get_by_role("button", name="Withdraw").click()
    expect(phone_page.get_by_text("withdrawn from Robins")).to_be_visible()
    assert not Assignment.objects.exists()
