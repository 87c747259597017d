"""A school's own export: roster, parents' links, engagement and feedback, as CSV
files or one JSON file in a ZIP; spreadsheet-safe, streamed, audited, and in a
number of queries that does not grow with the school."""

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from engagement.models import Event
from learning.models import Feedback
from privacy.services import school_data_export
from schools.models import Pupil
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
)

pytestmark = pytest.mark.django_db


def unzip(export) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(export.file.read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def at(day: int, hour: int) -> datetime:
    return timezone.make_aware(datetime(2025, 3, day, hour, 30))


@pytest.fixture
def world():
    """A school with a pupil on roll (Pupil Premium, two parents: one joined, one
    imported and never invited), a pupil who left, an anonymised pupil, and a
    pupil whose name a spreadsheet would run; events, feedback; another school."""
    school = SchoolFactory(name="Elm School", urn="654321")
    admin = admin_of(school)
    elm = SchoolClassFactory(school=school, name="Elm class")
    amy = PupilFactory(
        school=school, school_class=elm, first_name="Amy", last_name="Ash", pupil_premium=True
    )
    PupilFactory(
        school=school,
        school_class=elm,
        first_name="Lou",
        last_name="Left",
        removed_by_school_at=timezone.now(),
    )
    gone = PupilFactory(
        school=school,
        school_class=None,
        first_name="",
        last_name="",
        upn="",
        anonymised_at=timezone.now(),
    )
    PupilFactory(
        school=school, school_class=elm, first_name='=HYPERLINK("http://x")', last_name="Formula"
    )
    joined = GuardianshipFactory(
        pupil=amy,
        relationship="Mother",
        parent=UserFactory(
            first_name="Jo", last_name="Ash", email="jo@example.org", mobile="+447700900123"
        ),
    )
    GuardianshipFactory(
        pupil=amy,
        confirmed_at=None,
        relationship="Father",
        parent=UserFactory(email="dad@example.org"),
    )
    for pupil, moment, kind in (
        (amy, at(3, 9), "signed_in"),
        (amy, at(3, 10), "signed_in"),
        (amy, at(3, 11), "video_started"),
        (amy, at(4, 9), "signed_in"),
        (gone, at(4, 9), "signed_in"),
    ):
        Event.objects.create(actor=None, school=school, pupil=pupil, kind=kind, at=moment)
    activity = ActivityFactory(title="Counting spoons", topic__title="Numbers at home")
    Feedback.objects.create(
        pupil=amy,
        activity=activity,
        parent=joined.parent,
        rating=5,
        comment="+SUM(1,2)",
        photo="photos/abc.jpg",
        moderation_status="approved",
    )
    Feedback.objects.create(
        pupil=amy,
        activity=ActivityFactory(),
        parent=joined.parent,
        comment="Taken back",
        removed_at=timezone.now(),
    )
    Feedback.objects.create(pupil=gone, activity=activity, parent=None, rating=3)
    elsewhere = PupilFactory(first_name="Other", last_name="Elsewhere")
    Event.objects.create(school=elsewhere.school, pupil=elsewhere, kind="signed_in")
    return school, admin


def test_the_csv_export_holds_the_four_tables_and_a_readme(world):
    school, admin = world
    export = school_data_export(school=school, export_format="csv", actor=admin)
    files = unzip(export)
    assert set(files) == {
        "README.txt",
        "pupils.csv",
        "parents.csv",
        "engagement.csv",
        "feedback.csv",
    }
    assert export.filename == f"school-654321-data-{timezone.localdate()}-csv.zip"

    pupils = {row["last_name"]: row for row in read_csv(files["pupils.csv"])}
    assert set(pupils) == {"Ash", "Left", "Formula"}  # the anonymised pupil is left out
    amy = pupils["Ash"]
    assert (amy["class"], amy["year_group"], amy["pupil_premium"], amy["status"]) == (
        "Elm class",
        "Year 3",
        "yes",
        "on roll",
    )
    assert amy["upn"] == Pupil.objects.get(first_name="Amy").upn
    assert pupils["Left"]["status"] == "left" and pupils["Left"]["left_at"]

    parents = {row["relationship"]: row for row in read_csv(files["parents.csv"])}
    # A spreadsheet would run "+44…": the CSV writes it as text (the JSON as it is).
    assert (parents["Mother"]["email"], parents["Mother"]["mobile"]) == (
        "jo@example.org",
        "'+447700900123",
    )
    assert (parents["Mother"]["status"], parents["Father"]["status"]) == ("joined", "imported")
    assert parents["Mother"]["pupil_first_name"] == "Amy"

    engagement = read_csv(files["engagement.csv"])
    amy_id = str(Pupil.objects.get(first_name="Amy").pk)
    assert [(r["date"], r["pupil_id"], r["kind"], r["events"]) for r in engagement] == [
        ("2025-03-03", amy_id, "signed_in", "2"),
        ("2025-03-03", amy_id, "video_started", "1"),
        ("2025-03-04", amy_id, "signed_in", "1"),
        ("2025-03-04", "", "signed_in", "1"),  # the anonymised pupil, without identity
    ]
    assert engagement[1]["kind_label"] == "Started a video"

    feedback = read_csv(files["feedback.csv"])
    assert [(r["pupil_id"], r["rating"], r["comment"]) for r in feedback] == [
        (amy_id, "5", "'+SUM(1,2)"),
        ("", "3", ""),
    ]
    assert (feedback[0]["photo"], feedback[0]["activity"], feedback[0]["topic"]) == (
        "photos/abc.jpg",
        "Counting spoons",
        "Numbers at home",
    )
    assert "Taken back" not in files["feedback.csv"].decode()
    readme = files["README.txt"].decode()
    assert "Elm School" in readme and "engagement: " in readme


def test_a_name_a_spreadsheet_would_run_is_written_as_text(world):
    school, admin = world
    files = unzip(school_data_export(school=school, export_format="csv", actor=admin))
    assert "'=HYPERLINK" in files["pupils.csv"].decode()
    assert "\n=HYPERLINK" not in files["pupils.csv"].decode()
    assert ",=HYPERLINK" not in files["pupils.csv"].decode()


def test_no_other_schools_data_is_in_the_export(world):
    school, admin = world
    for export_format in ("csv", "json"):
        files = unzip(school_data_export(school=school, export_format=export_format, actor=admin))
        assert all(b"Elsewhere" not in content for content in files.values())


def test_the_json_export_has_the_same_sections(world):
    school, admin = world
    csv_files = unzip(school_data_export(school=school, export_format="csv", actor=admin))
    export = school_data_export(school=school, export_format="json", actor=admin)
    files = unzip(export)
    assert set(files) == {"README.txt", "school.json"}
    data = json.loads(files["school.json"])
    assert data["export"]["school"] == {"id": school.pk, "name": "Elm School", "urn": "654321"}
    for name in ("pupils", "parents", "engagement", "feedback"):
        assert len(data[name]) == len(read_csv(csv_files[f"{name}.csv"])), name
    assert "+447700900123" in {row["mobile"] for row in data["parents"]}
    amy = next(row for row in data["pupils"] if row["first_name"] == "Amy")
    assert amy["pupil_premium"] is True and amy["left_at"] is None
    assert data["engagement"][0] == {
        "date": "2025-03-03",
        "pupil_id": amy["pupil_id"],
        "upn": amy["upn"],
        "kind": "signed_in",
        "kind_label": "Signed in",
        "events": 2,
    }
    # JSON is not a spreadsheet: text is written as it is.
    assert data["feedback"][0]["comment"] == "+SUM(1,2)"
    assert datetime.fromisoformat(data["export"]["generated_at"]).tzinfo is not None


def test_each_export_is_audited_with_its_format_and_counts(world):
    school, admin = world
    school_data_export(school=school, export_format="json", actor=admin)
    entry = AuditEntry.objects.get(action="school.export")
    assert (entry.actor, entry.school) == (admin, school)
    assert (entry.subject_type, entry.subject_id) == ("schools.school", str(school.pk))
    assert entry.changes == {
        "format": "json",
        "pupils": 3,
        "parents": 2,
        "engagement": 4,
        "feedback": 2,
    }


def test_an_unknown_format_is_refused_and_nothing_recorded(world):
    school, admin = world
    with pytest.raises(ValueError):
        school_data_export(school=school, export_format="xlsx", actor=admin)
    assert not AuditEntry.objects.filter(action="school.export").exists()


def _grow(school, pupils: int, events_each: int) -> None:
    school_class = SchoolClassFactory(school=school)
    activity = ActivityFactory()
    start = timezone.now() - timedelta(days=30)
    for _ in range(pupils):
        pupil = PupilFactory(school=school, school_class=school_class)
        link = GuardianshipFactory(pupil=pupil)
        Event.objects.bulk_create(
            Event(
                actor=link.parent,
                school=school,
                pupil=pupil,
                kind="signed_in",
                at=start + timedelta(days=day),
            )
            for day in range(events_each)
        )
        Feedback.objects.create(
            pupil=pupil, activity=activity, parent=link.parent, rating=4, comment="Fun"
        )


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_the_number_of_queries_does_not_grow_with_the_school(export_format):
    counts = []
    for pupils in (1, 30):
        school = SchoolFactory()
        admin = admin_of(school)
        _grow(school, pupils, events_each=5)
        with CaptureQueriesContext(connection) as queries:
            export = school_data_export(school=school, export_format=export_format, actor=admin)
        assert export.counts["pupils"] == pupils and export.counts["engagement"] == pupils * 5
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
