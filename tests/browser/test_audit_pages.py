"""The audit log and sign-in activity pages in a real browser: a phone and a
laptop, no axe-core violations, the filter's error state included."""

import pytest
from playwright.sync_api import expect

from audit.services import audit_record
from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.factories import PupilFactory, SchoolFactory, admin_of, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school_admin():
    school = SchoolFactory(name="Oakfield Primary")
    admin = admin_of(school, first_name="Ada", last_name="Admin")
    for pupil in PupilFactory.create_batch(3, school=school):
        audit_record(actor=admin, action="pupil.remove", subject=pupil)
    audit_record(actor=None, action="invitation.expire", school=school)
    return admin, confirmed_totp_device(admin), school


@pytest.mark.parametrize("on_phone", [False, True])
def test_the_admin_filters_the_log_and_reads_sign_in_activity(
    new_context,
    school_admin,
    on_phone,
):
    admin, device, school = school_admin
    view = new_context(phone=on_phone).new_page()
    sign_in_staff(view, admin, device)

    view.goto(f"/schools/{school.pk}/audit/")
    expect(view.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(view.get_by_role("cell", name="Invitation: expire")).to_be_visible()
    assert_accessible(view)
    page_width = view.evaluate("document.documentElement.scrollWidth")
    assert page_width <= view.viewport_size["width"], "the page itself never scrolls sideways"

    view.get_by_label("Action").select_option(label="Pupil: remove")
    view.get_by_label("Person").select_option(label="Ada Admin")
    view.get_by_role("button", name="Show").click()
    expect(view.get_by_text("3 entries matching the filter")).to_be_visible()
    expect(view.get_by_role("cell", name="Invitation: expire")).to_have_count(0)

    view.goto(f"/schools/{school.pk}/audit/?date_from=2025-03-05&date_to=2025-03-04")
    expect(view.get_by_role("alert")).to_contain_text("on or after the start date")
    assert_accessible(view)

    view.get_by_role("link", name="Staff sign-in activity").click()
    expect(view.get_by_role("heading", level=1, name="Staff sign-in activity")).to_be_visible()
    expect(view.get_by_role("cell", name="Second factor passed").first).to_be_visible()
    assert_accessible(view)
    page_width = view.evaluate("document.documentElement.scrollWidth")
    assert page_width <= view.viewport_size["width"]
