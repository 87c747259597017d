"""The Pupil Premium report's rules: spreadsheet-safe CSV, the command's errors,
terms, clock changes, and a query count that does not grow with the school."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.csv import csv_rows_safe, csv_text
from engagement.models import Event
from engagement.selectors import Period, local_midnight, period_named
from learning.models import Completion
from schools.models import Guardianship
from tests.factories import ActivityFactory, PupilFactory, SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-x", "@a", "\tx", "\rx"]


def test_text_cells_that_spreadsheets_would_run_are_neutralised():
    rows = list(csv_rows_safe([[*FORMULAS, "Robins", Decimal("-3.5"), -2, 0.5, None]]))
    assert rows == [[*("'" + text for text in FORMULAS), "Robins", Decimal("-3.5"), -2, 0.5, ""]]
    text = csv_text(header=["a"], rows=[["-x", Decimal("-3.5")]])
    assert text == "a\r\n'-x,-3.5\r\n"


def _command(*args):
    out = io.StringIO()
    call_command("pp_report", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_class_names_from_the_mis_cannot_run_as_formulas(school):
    for name in FORMULAS:
        SchoolClassFactory(school=school, name=name)
        # Five pupils in each group, so nothing is hidden; PP are behind.
    classes = list(school.classes.all())
    for school_class in classes:
        for pp in (True, False):
            for _ in range(5):
                PupilFactory(school=school, school_class=school_class, pupil_premium=pp)
        pupil = school_class.pupils.filter(pupil_premium=False).first()
        parent = UserFactory()
        Guardianship.objects.create(
            parent=parent, pupil=pupil, confirmed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )
    today = dt.date.today()
    rows = _command(
        "--school", school.urn, "--from", "2020-01-01", "--to", str(today + dt.timedelta(days=1))
    )
    names = [row[1] for row in rows if row[0] == "class"]
    assert sorted(names) == sorted("'" + name for name in FORMULAS)
    gaps = {row[6] for row in rows[1:]}
    assert gaps == {"-20.0"}  # a negative gap stays a number


def test_the_command_refuses_bad_input_clearly(school):
    SchoolClassFactory(school=school, name="Robins")
    base = ["--school", school.urn, "--from", "2025-01-01", "--to", "2025-02-01"]
    with pytest.raises(CommandError, match="No school has the URN"):
        _command("--school", "999999", "--from", "2025-01-01", "--to", "2025-02-01")
    with pytest.raises(CommandError, match="--from must be before --to"):
        _command("--school", school.urn, "--from", "2025-02-01", "--to", "2025-02-01")
    with pytest.raises(CommandError, match="not a date"):
        _command("--school", school.urn, "--from", "1/2/2025", "--to", "2025-02-01")
    with pytest.raises(CommandError, match="no class called 'Owls'"):
        _command(*base, "--class", "Owls")
    with pytest.raises(CommandError, match="--year-group"):
        _command(*base, "--year-group", "14")
    assert _command(*base, "--class", "Robins")[1][:2] == ["class", "Robins"]


@pytest.mark.parametrize(
    ("today", "name", "start", "end"),
    [
        (dt.date(2025, 10, 15), "this_term", dt.date(2025, 9, 1), dt.date(2026, 1, 1)),
        (dt.date(2025, 10, 15), "last_term", dt.date(2025, 4, 1), dt.date(2025, 9, 1)),
        (dt.date(2026, 1, 1), "last_term", dt.date(2025, 9, 1), dt.date(2026, 1, 1)),
        (dt.date(2026, 3, 31), "this_term", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        (dt.date(2026, 4, 1), "this_term", dt.date(2026, 4, 1), dt.date(2026, 9, 1)),
        (dt.date(2026, 8, 31), "this_year", dt.date(2025, 9, 1), dt.date(2026, 9, 1)),
        (dt.date(2025, 9, 1), "this_year", dt.date(2025, 9, 1), dt.date(2026, 9, 1)),
    ],
)
def test_terms_are_fixed_calendar_dates(today, name, start, end):
    assert period_named(name, today=today)[0] == Period(start, end)


def test_the_clocks_going_back_are_local_midnights():
    # 26 October 2025: BST ends. The period [25 Oct, 27 Oct) is 49 hours long.
    period = Period(dt.date(2025, 10, 25), dt.date(2025, 10, 27))
    assert period.start_at == dt.datetime(2025, 10, 24, 23, tzinfo=dt.UTC)
    assert period.end_at == dt.datetime(2025, 10, 27, 0, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2025, 3, 31)) == dt.datetime(2025, 3, 30, 23, tzinfo=dt.UTC)


def _grow(school, school_class, size):
    """``size`` pupils, each with a parent who is active and did something."""
    joined = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    activity = ActivityFactory()
    for index in range(size):
        pupil = PupilFactory(school=school, school_class=school_class, pupil_premium=index % 3 == 0)
        parent = UserFactory()
        Guardianship.objects.create(parent=parent, pupil=pupil, confirmed_at=joined)
        for day in range(3):
            Event.objects.create(
                actor=parent,
                school=school,
                kind="signed_in",
                at=local_midnight(dt.date(2025, 3, 3 + day * 7)),
            )
        Completion.objects.create(
            pupil=pupil, activity=activity, completed_at=local_midnight(dt.date(2025, 3, 4))
        )


@pytest.mark.parametrize("csv_format", [False, True])
def test_the_query_count_does_not_grow_with_pupils_or_events(
    school, admin, staff_client, django_assert_num_queries, csv_format
):
    browser = staff_client(admin)
    query = {"period": "custom", "from": "2025-03-01", "to": "2025-04-01"}
    if csv_format:
        query["format"] = "csv"
    url = reverse("engagement:pp_report", args=[school.pk])
    classes = [SchoolClassFactory(school=school, name=f"Class {n}") for n in range(3)]
    _grow(school, classes[0], 3)
    browser.get(url, query)
    with CaptureQueriesContext(connection) as small:
        assert browser.get(url, query).status_code == 200
    for school_class in classes:
        _grow(school, school_class, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        assert browser.get(url, query).status_code == 200
