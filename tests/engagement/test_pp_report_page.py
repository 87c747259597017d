"""The Pupil Premium report page and its CSV download, on the hand-built school."""

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.selectors import CSV_HEADER
from schools.models import Guardianship
from tests.engagement import pp_dataset
from tests.engagement.pp_dataset import EXPECTED, EXPECTED_CSV, EXPECTED_WEEKS
from tests.factories import MembershipFactory, UserFactory, teacher_of

pytestmark = pytest.mark.django_db

CUSTOM = {"period": "custom", "from": "2025-03-03", "to": "2025-04-07"}


class _Tables(HTMLParser):
    """Each table's caption and the text of its body rows' cells."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row, self._in = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in = "caption"
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in == "caption":
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data


def _tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return {table["caption"].strip(): table["rows"][1:] for table in parser.tables}


def _url(school):
    return reverse("engagement:pp_report", args=[school.pk])


def _shown(row) -> str:
    """A row's name on the page: a class's row says it is a class."""
    return f"Class {row[1]}" if row[0] == "class" else row[1]


def _expected_tables(expected):
    return {
        "Pupils on roll at the end of the period": [[_shown(r), r[2], r[3]] for r in expected],
        "Families reached: pupils with a parent who has joined (%)": [
            [_shown(r), r[4], r[5], r[6]] for r in expected
        ],
        "Families active: pupils with a parent active in the period (%)": [
            [_shown(r), r[7], r[8], r[9]] for r in expected
        ],
        "Completions per pupil in the period": [[_shown(r), r[10], r[11], r[12]] for r in expected],
    }


@pytest.fixture
def dataset(school):
    return pp_dataset.build(school)


def test_the_admin_sees_every_measure_exactly(dataset, school_admin_client):
    response = school_admin_client.get(_url(dataset.school), CUSTOM)
    assert response.status_code == 200
    tables = _tables(response)
    for caption, rows in _expected_tables(EXPECTED).items():
        assert tables[caption] == rows, caption
    assert tables["Families active each week (% of pupils)"] == [
        [f"{week:%-d %b %Y}", pp, not_pp, str(round(float(pp) - float(not_pp), 1))]
        for week, _, pp, _, not_pp in EXPECTED_WEEKS
    ]
    assert "<svg" in response.content.decode()


def test_the_csv_download_matches_the_command(dataset, school_admin_client):
    response = school_admin_client.get(_url(dataset.school), {**CUSTOM, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [list(CSV_HEADER), *EXPECTED_CSV]


def test_a_teacher_sees_only_their_classes_with_small_groups_hidden(dataset, staff_client):
    teacher = teacher_of(dataset.falcons)
    response = staff_client(teacher).get(_url(dataset.school), CUSTOM)
    assert response.status_code == 200
    falcons_hidden = EXPECTED_CSV[4]
    for caption, rows in _expected_tables([falcons_hidden]).items():
        assert _tables(response)[caption] == rows, caption
    assert "Robins" not in response.content.decode()
    weeks = _tables(response)["Families active each week (% of pupils)"]
    assert [week[1] for week in weeks] == ["fewer than 5"] * 5
    assert [week[2] for week in weeks] == ["0.0", "0.0", "40.0", "0.0", "0.0"]
    # Another class of the school cannot be chosen.
    response = staff_client(teacher).get(
        _url(dataset.school), {**CUSTOM, "class": dataset.robins.pk}
    )
    assert "Robins" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("who", ["parent", "other_teacher", "platform_staff", "other_admin"])
def test_nobody_else_sees_the_report(dataset, staff_client, client, who):
    if who == "parent":
        client.force_login(
            Guardianship.objects.filter(pupil__school=dataset.school, confirmed_at__isnull=False)
            .first()
            .parent
        )
        browser = client
    elif who == "other_teacher":
        browser = staff_client(MembershipFactory(school=dataset.school).user)  # no classes
    elif who == "platform_staff":
        browser = staff_client(UserFactory(is_staff=True))
    else:
        browser = staff_client(MembershipFactory(school=dataset.other_school, role="admin").user)
    assert browser.get(_url(dataset.school), CUSTOM).status_code == 404


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"period": "custom"}, "Enter the first day of the period."),
        ({"period": "custom", "from": "2025-04-07", "to": "2025-03-03"}, "must be after"),
        ({"period": "custom", "from": "2020-01-01", "to": "2025-01-01"}, "two years or less"),
        ({"period": "custom", "from": "yesterday", "to": "2025-01-01"}, "Enter a valid date."),
        ({"period": "next_decade"}, "Select a valid choice"),
    ],
)
def test_a_bad_period_is_a_clear_error(dataset, school_admin_client, query, error):
    response = school_admin_client.get(_url(dataset.school), query)
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert error in response.content.decode()
    csv_response = school_admin_client.get(_url(dataset.school), {**query, "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/html")


def test_class_rows_say_they_are_classes_and_weeks_to_come_are_not_shown(
    dataset, school_admin_client
):
    """Classes named after their year group ("Year 3") must not look like the year
    group's row; a period reaching past today shows only the weeks begun."""
    response = school_admin_client.get(_url(dataset.school), {"period": "this_year"})
    names = [row[0] for row in _tables(response)["Pupils on roll at the end of the period"]]
    assert f"Class {dataset.falcons.name}" in names
    assert dataset.falcons.name not in names
    weeks = _tables(response)["Families active each week (% of pupils)"]
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    assert weeks[-1][0] == f"{monday:%-d %b %Y}"
