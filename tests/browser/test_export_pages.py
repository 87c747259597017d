"""Downloading data in a browser: a parent's own on a phone (and reading the page in
the ZIP there), and a school's whole export on a laptop."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from learning.models import Feedback
from tests.browser.helpers import assert_accessible, sign_in, sign_in_staff
from tests.consent.notices import published_notice, registered_parent
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    admin_of,
    confirmed_totp_device,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page, width: int = 360):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_parent_downloads_their_data_on_a_phone_and_reads_it(
    phone_page, private_folder, tmp_path
):
    published_notice(version="1.0")
    parent = registered_parent()
    link = GuardianshipFactory(parent=parent, pupil__first_name="Robin")
    feedback = Feedback(
        pupil=link.pupil,
        activity=ActivityFactory(title="A very long activity title about counting spoons"),
        parent=parent,
        rating=5,
        comment="<b>We</b> loved it, and counted every spoon in the drawer twice over",
    )
    feedback.photo.save("photo.png", ContentFile(b"not really a png"), save=False)
    feedback.save()
    sign_in(phone_page, parent.email)

    phone_page.get_by_role("link", name="Your account").click()
    phone_page.get_by_role("link", name="See and download your data").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Your data")
    _no_sideways_scroll(phone_page)
    assert_accessible(phone_page)

    with phone_page.expect_download() as download_info:
        phone_page.get_by_role("link", name="Download your data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("home-learning-data-")
    folder = tmp_path / "export"
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as archive:
        archive.extractall(folder)
    assert (folder / "data.json").exists() and (folder / "photos").is_dir()

    phone_page.goto((folder / "index.html").as_uri())
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Your data from the Home Learning Portal"
    )
    # The parent's own feedback: under "About you" and under Robin.
    expect(phone_page.get_by_text("<b>We</b> loved it", exact=False)).to_have_count(2)
    _no_sideways_scroll(phone_page)
    assert_accessible(phone_page)


def test_a_school_admin_exports_the_school_on_a_laptop(page):
    pupil = PupilFactory()
    admin = admin_of(pupil.school)
    device = confirmed_totp_device(admin)
    sign_in_staff(page, admin, device)

    page.goto(f"/schools/{pupil.school_id}/")
    page.get_by_role("link", name="Export the school's data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the school's data")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    with zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes())) as archive:
        assert "pupils.csv" in archive.namelist()
        assert pupil.last_name in archive.read("pupils.csv").decode()
