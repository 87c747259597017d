"""A parent on a phone keeps a copy of their data, erases it and can no longer sign
in; their child's teacher still sees the class's completions counted, with no name.
No page of the way has an axe-core violation or scrolls sideways at 360 px."""

import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.helpers import PASSWORD, assert_accessible, sign_in, sign_in_staff
from tests.consent.notices import published_notice
from tests.factories import confirmed_totp_device
from tests.privacy.erasure_world import CHILD_FIRST, PARENT_EMAIL, family_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _download(page) -> None:
    """Download the parent's copy (``privacy:download``), when the portal has it."""
    try:
        reverse("privacy:download")
    except NoReverseMatch:
        return
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    assert download.value.suggested_filename.endswith(".zip")


def test_a_parent_erases_their_data_on_a_phone_and_the_class_keeps_its_counts(
    new_context, private_folder
):
    published_notice(version="1.0")
    family = family_world()
    phone = new_context(phone=True).new_page()
    sign_in(phone, PARENT_EMAIL)

    phone.get_by_role("link", name="Your account").click()
    expect(phone.get_by_role("heading", level=2, name="Your data", exact=True)).to_be_visible()
    your_data = phone.get_by_role("link", name="See and download your data")
    via_your_data = your_data.count() == 1
    if via_your_data:  # the "Your data" page (privacy:my_data): the copy, then erasure
        your_data.click()
        _fits(phone)
        assert_accessible(phone)
        _download(phone)
    phone.get_by_role("link", name="Erase your data", exact=True).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Erase your data")
    child = family.child.full_name
    expect(phone.get_by_text(f"{child}'s name, UPN and link to you")).to_be_visible()
    _fits(phone)
    assert_accessible(phone)
    if not via_your_data:
        _download(phone)

    # A wrong password erases nothing and says why.
    phone.get_by_label("Type ERASE to confirm").fill("ERASE")
    phone.get_by_label("Your password").fill("not my password")
    phone.get_by_role("button", name="Erase my data").click()
    expect(phone.get_by_role("alert")).to_contain_text("That is not your password.")
    _fits(phone)
    assert_accessible(phone)
    assert User.objects.get(pk=family.parent.pk).email == PARENT_EMAIL

    phone.get_by_label("Type ERASE to confirm").fill("ERASE")
    phone.get_by_label("Your password").fill(PASSWORD)
    phone.get_by_role("button", name="Erase my data").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Your data has been erased")
    expect(phone.get_by_role("button", name="Sign out")).to_have_count(0)
    _fits(phone)
    assert_accessible(phone)

    phone.goto("/accounts/login/")
    phone.get_by_label("Email address", exact=True).fill(PARENT_EMAIL)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone.get_by_text(re.compile("not correct", re.IGNORECASE))).to_be_visible()
    assert "/accounts/login/" in phone.url

    # The teacher, on a phone too, still sees the class's two completions, unnamed.
    teacher_phone = new_context(phone=True).new_page()
    sign_in_staff(teacher_phone, family.teacher, confirmed_totp_device(family.teacher))
    teacher_phone.get_by_role("link", name="Engagement", exact=True).click()
    classes = teacher_phone.get_by_role("table", name="Families of pupils on roll, by class")
    kestrels = classes.get_by_role("row").filter(has_text="Kestrels")
    expect(kestrels.get_by_role("cell").nth(1)).to_have_text("0")  # pupils with a name
    expect(kestrels.get_by_role("cell").nth(7)).to_have_text("2")  # completions, 30 days
    work = teacher_phone.get_by_role(
        "table", name="Families active on each piece of work, and activities done"
    )
    garden = work.get_by_role("row").filter(has_text="Garden creatures")
    expect(garden.get_by_role("cell").last).to_contain_text("2")
    expect(teacher_phone.get_by_text(CHILD_FIRST)).to_have_count(0)
    expect(teacher_phone.get_by_text("Anonymised pupil")).to_have_count(0)
    _fits(teacher_phone)
    assert_accessible(teacher_phone)
