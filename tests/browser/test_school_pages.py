"""A school admin's settings and a pupil's page in a real browser, on a 360 px
phone and a laptop: nothing scrolls sideways, no axe-core violations, and removing
a parent's link goes through its confirmation page (a link, then a plain form)."""

import pytest
from playwright.sync_api import expect

from schools.models import Guardianship
from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school_world():
    school = SchoolFactory(name="Oakfield Primary School and Nursery")
    admin = admin_of(school, first_name="Ada", last_name="Admin")
    school_class = SchoolClassFactory(school=school, name="Robins")
    pupil = PupilFactory(
        school=school,
        school_class=school_class,
        first_name="Amara",
        last_name="Okoro-Featherstonehaugh",
        pupil_premium=True,
    )
    parent = UserFactory(
        first_name="Pat",
        last_name="Joined",
        email="pat.with.a.rather.long.address@families.example.org",
        mobile="+447700900111",
    )
    guardianship = GuardianshipFactory(parent=parent, pupil=pupil)
    return school, admin, confirmed_totp_device(admin), pupil, guardianship


def _no_sideways_scroll(view) -> None:
    width = view.evaluate("document.documentElement.scrollWidth")
    assert width <= view.viewport_size["width"], "the page itself never scrolls sideways"


@pytest.mark.parametrize("on_phone", [True, False])
def test_the_admin_changes_settings_and_removes_a_parents_link(new_context, school_world, on_phone):
    school, admin, device, pupil, guardianship = school_world
    view = new_context(phone=on_phone).new_page()
    sign_in_staff(view, admin, device)

    view.goto(f"/schools/{school.pk}/settings/")
    expect(view.get_by_role("heading", level=1, name="School settings")).to_be_visible()
    _no_sideways_scroll(view)
    assert_accessible(view)
    view.get_by_label("Name parents see").fill("Oakfield")
    view.get_by_label("Contact email for parents").fill("office@oakfield.example.org")
    view.get_by_label("Contact phone for parents").fill("not a number")
    view.get_by_role("button", name="Save settings").click()
    expect(view.locator("#error-summary").get_by_text("Enter a UK phone number")).to_be_visible()
    expect(view.locator("#error-summary")).to_be_focused()
    _no_sideways_scroll(view)
    view.get_by_label("Contact phone for parents").fill("020 7946 0123")
    view.get_by_label("Check families' comments and photos first").check()
    view.get_by_role("button", name="Save settings").click()
    expect(view.get_by_text("Settings saved.")).to_be_visible()
    expect(view.get_by_role("link", name="Feedback to approve (0)")).to_have_count(1)

    view.goto(f"/schools/{school.pk}/pupils/{pupil.pk}/")
    expect(view.get_by_role("heading", level=1, name=pupil.full_name)).to_be_visible()
    expect(view.get_by_text(guardianship.parent.email)).to_be_visible()
    _no_sideways_scroll(view)
    assert_accessible(view)

    view.get_by_role("link", name="Remove this parent's link").click()
    expect(view.get_by_role("heading", level=1)).to_contain_text("Remove Pat Joined's link")
    _no_sideways_scroll(view)
    assert_accessible(view)
    view.get_by_role("button", name="Remove the link").click()
    expect(view.get_by_text("Pat Joined is no longer linked to Amara.")).to_be_visible()
    assert Guardianship.objects.get(pk=guardianship.pk).ended_at is not None
