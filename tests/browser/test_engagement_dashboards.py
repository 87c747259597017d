"""A teacher finds a family that has not engaged and nudges it, on a laptop: the
message is in the outbox. A school admin reads the school's dashboard. No page of
the way has an axe-core violation, and the dashboards fit a phone."""

import pytest
from playwright.sync_api import expect

from engagement.models import Nudge
from notifications.models import Message
from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.engagement.dashboard_world import build_world
from tests.factories import admin_of, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_teacher_nudges_a_family_that_has_not_engaged(page, settings):
    settings.QUIET_HOURS = None
    world = build_world()
    teacher = world.teacher
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    page.get_by_role("link", name="Engagement", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Engagement")).to_be_visible()
    expect(page.get_by_role("table", name="Families of pupils on roll, by class")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Show").select_option(label="Never active")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row", name=world.silent.full_name)).to_contain_text("Never")
    expect(page.get_by_role("row", name=world.lapsed.full_name)).to_have_count(0)
    assert_accessible(page)

    page.get_by_label(f"Nudge the family of {world.silent.full_name}").check()
    page.get_by_role("button", name="Send a nudge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a nudge about Minibeasts")
    expect(page.get_by_text("1 parent", exact=True)).to_be_visible()
    assert_accessible(page)
    assert not Message.objects.exists()

    page.get_by_role("button", name="Send the nudge").click()
    expect(page.get_by_text("Nudge sent to 1 parent about Minibeasts.")).to_be_visible()
    expect(page.get_by_role("row", name=world.silent.full_name)).not_to_contain_text("Not yet")
    assert_accessible(page)
    message = Message.objects.get()
    assert message.template == "engagement_nudge"
    assert message.recipient == world.parents["silent"]
    assert Nudge.objects.filter(parent=world.parents["silent"]).count() == 1


def test_a_school_admin_reads_the_dashboard_on_a_laptop_and_a_phone(page, phone_page):
    world = build_world()
    admin = admin_of(world.school)
    device = confirmed_totp_device(admin)
    for browser_page in (page, phone_page):
        sign_in_staff(browser_page, admin, device)
        browser_page.goto(f"/schools/{world.school.pk}/engagement/")
        expect(browser_page.get_by_role("heading", level=1)).to_have_text(
            "Engagement at Oakfield Primary"
        )
        expect(browser_page.get_by_text("75%")).to_be_visible()
        assert_accessible(browser_page)
        assert _fits(browser_page)
        device.refresh_from_db()
        device.last_t = -1
        device.save()
