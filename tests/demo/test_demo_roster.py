"""A roster exported from the demo imports cleanly: its drama-range mobiles are mobiles."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command

from demo.seeding import DEMO_URN_REGEX
from schools.models import Guardianship, Pupil, School
from schools.services import roster_check
from tests.factories import SchoolFactory
from tests.schools.roster_files import HEADER

pytestmark = pytest.mark.django_db

YEAR_CELLS = {-1: "N", 0: "R"}


def roster_export(school: School) -> bytes:
    """The school's pupils and contacts as an MIS would export them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER.split(","))
    pupils = Pupil.objects.filter(school=school).select_related("school_class").order_by("pk")
    links = Guardianship.objects.filter(pupil__school=school).select_related("parent")
    by_pupil: dict[int, list[Guardianship]] = {}
    for link in links.order_by("pk"):
        by_pupil.setdefault(link.pupil_id, []).append(link)
    for pupil in pupils:
        year = YEAR_CELLS.get(pupil.year_group, str(pupil.year_group))
        cells = [
            pupil.upn,
            pupil.first_name,
            pupil.last_name,
            year,
            pupil.school_class.name if pupil.school_class else "",
            "Y" if pupil.pupil_premium else "N",
        ]
        for link in by_pupil.get(pupil.pk, []) or [None]:
            if link is None:
                writer.writerow([*cells, "", "", "", "", "", ""])
                continue
            parent = link.parent
            writer.writerow(
                [
                    *cells,
                    parent.first_name,
                    parent.last_name,
                    parent.email or "",
                    parent.mobile,
                    link.relationship,
                    "Y" if link.parental_responsibility else "N",
                ]
            )
    return out.getvalue().encode()


def test_a_roster_exported_from_the_demo_imports_with_no_error_or_warning():
    call_command(
        "seed_demo", "--schools", "1", "--pupils-per-school", "40", "--seed", "1", stdout=StringIO()
    )
    school = School.objects.filter(urn__regex=DEMO_URN_REGEX).get()
    assert Guardianship.objects.filter(
        pupil__school=school, parent__mobile__startswith="+447700900"
    )

    content = roster_export(school)
    again = roster_check(school=school, content=content, remove_missing=False)
    elsewhere = roster_check(school=SchoolFactory(), content=content, remove_missing=False)

    assert (again.errors, again.warnings) == ([], [])
    assert again.changes == 0
    assert (elsewhere.errors, elsewhere.warnings) == ([], [])
    assert elsewhere.summary["pupils_create"] == Pupil.objects.filter(school=school).count()
