"""The Pupil Premium report on a hand-built school: the selector, the command and
the CSV give exactly the numbers written out in ``pp_dataset``."""

import csv
import io

import pytest
from django.core.management import call_command

from engagement.selectors import CSV_HEADER, pp_report
from tests.engagement import pp_dataset
from tests.engagement.pp_dataset import EXPECTED, EXPECTED_CSV, EXPECTED_WEEKS, PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(school):
    return pp_dataset.build(school)


def _text(cells):
    return ["" if cell is None else str(cell) for cell in cells]


def test_every_measure_is_exact(dataset):
    report = pp_report(school=dataset.school, period=PERIOD)
    assert [_text(row) for row in report.cells()] == EXPECTED


def test_the_weekly_trend_is_exact(dataset):
    report = pp_report(school=dataset.school, period=PERIOD)
    assert [
        (week.start, week.pp_active, str(week.pp_active_pct), week.not_pp_active,
         str(week.not_pp_active_pct))
        for week in report.weeks
    ] == EXPECTED_WEEKS  # fmt: skip


def _command(*args):
    out = io.StringIO()
    call_command("pp_report", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_the_command_writes_the_same_numbers_with_small_groups_hidden(dataset):
    rows = _command("--school", "123456", "--from", "2025-03-03", "--to", "2025-04-07")
    assert rows[0] == list(CSV_HEADER)
    assert rows[1:] == EXPECTED_CSV


def test_the_command_for_one_class_and_one_year_group(dataset):
    args = ("--school", "123456", "--from", "2025-03-03", "--to", "2025-04-07")
    assert _command(*args, "--class", "Robins")[1:] == [EXPECTED_CSV[3]]
    # Year 2 has R16 of Robins (1 pupil, not PP) and Falcons.
    assert _command(*args, "--year-group", "2")[1:] == [
        EXPECTED_CSV[2],
        ["class", "Robins", *["fewer than 5"] * 11],
        EXPECTED_CSV[4],
    ]
