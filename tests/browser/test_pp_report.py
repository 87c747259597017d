"""A school admin reads the Pupil Premium report on a laptop: changes the period and
the class, reads the chart and the tables, downloads the CSV; on a phone it fits."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, sign_in_staff
from tests.engagement import pp_dataset
from tests.factories import SchoolFactory, admin_of, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report_world():
    school = SchoolFactory(name="Oakfield Primary", urn="123456")
    dataset = pp_dataset.build(school)
    admin = admin_of(school, first_name="Ada", last_name="Admin")
    return dataset, admin, confirmed_totp_device(admin)


def _table(view, caption):
    table = view.locator("table", has=view.locator("caption", has_text=caption))
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def test_the_admin_chooses_a_period_and_class_and_downloads_the_csv(new_context, report_world):
    dataset, admin, device = report_world
    view = new_context().new_page()
    sign_in_staff(view, admin, device)
    view.goto(f"/schools/{dataset.school.pk}/")
    view.get_by_role("link", name="Pupil Premium engagement").click()
    expect(view.get_by_role("heading", level=1, name="Pupil Premium engagement")).to_be_visible()
    expect(view.get_by_role("img", name="Families active each week")).to_be_visible()
    assert_accessible(view)

    view.get_by_label("Period", exact=True).select_option("custom")
    view.get_by_label("From (first day)").fill("2025-03-03")
    view.get_by_label("To (the day after the last)").fill("2025-04-07")
    view.get_by_role("button", name="Show report").click()
    expect(
        view.get_by_role("heading", level=2, name="3 March 2025 to 6 April 2025")
    ).to_be_visible()
    assert _table(view, "Families active: pupils with a parent active")[0] == [
        "Oakfield Primary", "50.0", "30.8", "19.2"
    ]  # fmt: skip

    view.get_by_label("Class").select_option(label="Falcons")
    view.get_by_role("button", name="Show report").click()
    expect(view.get_by_label("Class")).to_have_value(str(dataset.falcons.pk))
    assert _table(view, "Families reached") == [["Class Falcons", "100.0", "60.0", "40.0"]]
    chart = view.get_by_role("img", name="Families active each week")
    expect(chart).to_be_visible()
    assert chart.locator("circle").count() == 5  # one point a week for PP
    assert _table(view, "Families active each week")[2] == ["17 Mar 2025", "0.0", "40.0", "-40.0"]
    assert_accessible(view)

    with view.expect_download() as download_info:
        view.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == (
        "pupil-premium-engagement-123456-2025-03-03-2025-04-07.csv"
    )
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[1:] == [pp_dataset.EXPECTED_CSV[4]]


def test_the_report_fits_a_phone(new_context, report_world):
    dataset, admin, device = report_world
    view = new_context(phone=True).new_page()
    sign_in_staff(view, admin, device)
    view.goto(
        f"/schools/{dataset.school.pk}/engagement/pupil-premium/"
        "?period=custom&from=2025-03-03&to=2025-04-07"
    )
    expect(view.get_by_role("img", name="Families active each week")).to_be_visible()
    width = view.evaluate("document.documentElement.scrollWidth")
    assert width <= view.viewport_size["width"]
    assert_accessible(view)
