"""A school admin invites families, tracks them and finds those the school cannot
reach, on a laptop and on a phone; axe-core finds nothing on any of these pages."""

import pytest
from playwright.sync_api import expect

from invitations.models import Invitation
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


def _school():
    school = SchoolFactory(name="Meadowbank Primary")
    robins = SchoolClassFactory(school=school, name="Robins")
    wrens = SchoolClassFactory(school=school, name="Wrens")
    for n, (school_class, first_name) in enumerate(
        [(robins, "Amara"), (robins, "Ben"), (wrens, "Cai"), (wrens, "Dara")]
    ):
        pupil = PupilFactory(school=school, school_class=school_class, first_name=first_name)
        parent = UserFactory(
            is_active=False,
            first_name=f"Parent{n}",
            last_name="Family",
            email=None if first_name == "Dara" else f"parent{n}@example.org",
        )
        GuardianshipFactory(parent=parent, pupil=pupil, confirmed_at=None)
    PupilFactory(school=school, school_class=wrens, first_name="Eli")  # no parent on record
    admin = admin_of(school)
    return school, admin


def test_admin_invites_a_class_then_tracks_resends_and_revokes(page):
    _, admin = _school()
    sign_in_staff(page, admin, confirmed_totp_device(admin))

    page.get_by_role("link", name="Invite parents").click()
    expect(page.get_by_role("heading", level=1, name="Invite parents")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Invite this class").click()
    expect(page.get_by_text("Choose the class to invite.").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Class to invite").select_option(label="Robins (2 pupils)")
    page.get_by_label("Email only").check()
    page.get_by_role("button", name="Invite this class").click()
    expect(page.get_by_role("heading", level=1, name="Invitations")).to_be_visible()
    expect(page.get_by_text("Invited 2 families.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Invite parents", exact=True).click()
    page.get_by_text("Wrens: 3 pupils").click()  # open the class to tick its pupils
    page.get_by_label("Cai").check()
    page.get_by_role("button", name="Invite the families of the ticked pupils").click()
    expect(page.get_by_text("Invited 1 family.")).to_be_visible()

    page.get_by_role("link", name="Revoke… the invitation to Parent0 Family").click()
    expect(
        page.get_by_role("heading", level=1, name="Revoke the invitation to Parent0 Family?")
    ).to_be_visible()
    expect(page.get_by_text("the family is not told")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke the invitation").click()
    expect(page.get_by_text("Invitation to Parent0 Family revoked.")).to_be_visible()
    page.get_by_label("Status").select_option(label="Revoked")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("cell", name="Parent0 Family")).to_be_visible()
    expect(page.get_by_role("cell", name="Parent1 Family")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Show all").click()
    page.get_by_role("button", name="Resend to Parent1 Family").click()
    expect(page.get_by_text("Invitation to Parent1 Family sent again.")).to_be_visible()
    assert Invitation.objects.get(contact_name="Parent1 Family").attempts == 2


def test_unreachable_families_page_and_tracker_read_well_on_a_phone(phone_page):
    school, admin = _school()
    dara = school.pupils.get(first_name="Dara")
    sign_in_staff(phone_page, admin, confirmed_totp_device(admin))

    phone_page.goto(f"/schools/{school.pk}/invitations/unreachable/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Families we cannot reach")
    expect(phone_page.get_by_text("No parent or carer on record")).to_be_visible()
    expect(phone_page.get_by_text(dara.full_name)).to_be_visible()
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone_page.goto(f"/schools/{school.pk}/invitations/new/")
    phone_page.get_by_role("button", name="Invite the whole school").click()
    expect(phone_page.get_by_text("Invited 3 families.")).to_be_visible()
    expect(phone_page.get_by_text("1 family could not be reached")).to_be_visible()
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
