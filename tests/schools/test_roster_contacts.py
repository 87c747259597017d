"""A bad contact detail is left out with a warning; only the pupil's own fields skip a row."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from schools.models import Guardianship, Pupil
from schools.roster.parsing import parse_roster
from schools.services import roster_apply
from tests.schools.roster_files import roster, row, upn
from tests.schools.test_roster_views import upload

pytestmark = pytest.mark.django_db


def apply(school, content):
    return roster_apply(school=school, content=content, remove_missing=False, actor=None)


def warnings_of(result):
    return [(issue.line, issue.message) for issue in result.warnings]


def test_a_bad_email_is_left_out_and_the_pupil_and_mobile_are_kept(school):
    result = apply(
        school,
        roster(row(1, contact_first="Jane", email="jane@", mobile="07911 123456")),
    )

    assert result.errors == []
    pupil = Pupil.objects.get(school=school)
    parent = Guardianship.objects.get(pupil=pupil).parent
    assert (parent.email, parent.mobile) == (None, "+447911123456")
    [(line, message)] = warnings_of(result)
    assert line == 2
    assert "contact email “jane@” is not a valid email address" in message
    assert "left out" in message
    assert "mobile is kept" in message


def test_a_bad_mobile_is_left_out_and_the_pupil_and_email_are_kept(school):
    result = apply(school, roster(row(1, email="jane@example.org", mobile="12345")))

    assert result.errors == []
    parent = Guardianship.objects.get(pupil__school=school).parent
    assert (parent.email, parent.mobile, parent.mobile_hash) == ("jane@example.org", "", "")
    [(line, message)] = warnings_of(result)
    assert line == 2
    assert "contact mobile “12345”" in message
    assert "email is kept" in message


def test_when_both_are_bad_the_pupil_is_imported_without_the_contact(school):
    result = apply(
        school,
        roster(
            row(1, email="mum@example.org"),
            row(2, contact_first="Jo", contact_last="Bloggs", email="jo@@x", mobile="0791"),
        ),
    )

    assert result.errors == []
    assert Pupil.objects.filter(school=school).count() == 2
    assert not Guardianship.objects.filter(pupil__upn=upn(2)).exists()
    assert list(User.objects.values_list("email", flat=True)) == ["mum@example.org"]
    [(line, message)] = warnings_of(result)
    assert line == 3
    assert "contact email “jo@@x”" in message
    assert "contact mobile “0791”" in message
    assert "no contact is created for Jo Bloggs" in message


def test_a_bad_email_with_no_mobile_creates_no_contact_but_keeps_the_pupil():
    parsed = parse_roster(roster(row(1, email="not-an-email")))

    assert parsed.errors == []
    assert len(parsed.pupils) == 1
    assert parsed.contacts == []
    assert parsed.warnings[0].line == 2
    assert "no contact is created" in parsed.warnings[0].message


@pytest.mark.parametrize("landline", ["020 7946 0000", "0161 496 0000", "+44 113 496 0000"])
def test_a_landline_in_the_mobile_column_is_left_out_as_not_a_mobile(landline):
    parsed = parse_roster(roster(row(1, email="jane@example.org", mobile=landline)))

    assert parsed.errors == []
    assert len(parsed.pupils) == 1
    assert (parsed.contacts[0].email, parsed.contacts[0].mobile) == ("jane@example.org", None)
    assert parsed.warnings[0].line == 2
    assert f"contact mobile “{landline}” is a landline, not a mobile" in parsed.warnings[0].message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900000", "+447700900000"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900999", "+447700900999"),
    ],
)
def test_mobiles_in_ofcoms_drama_range_are_accepted(raw, expected):
    parsed = parse_roster(roster(row(1, mobile=raw)))

    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.contacts[0].mobile == expected


def test_just_outside_the_drama_range_is_not_a_valid_number():
    parsed = parse_roster(roster(row(1, email="a@example.org", mobile="07700 901000")))

    assert parsed.contacts[0].mobile is None
    assert "is not a valid phone number" in parsed.warnings[0].message


def test_a_bad_upn_still_skips_the_row_with_a_good_contact():
    good = upn(1)
    wrong_letter = ("B" if good[0] != "B" else "C") + good[1:]

    parsed = parse_roster(roster(row(1, upn_text=wrong_letter, email="jane@example.org")))

    assert parsed.pupils == {}
    assert parsed.contacts == []
    assert parsed.errors[0].line == 2
    assert "not a valid UPN" in parsed.errors[0].message


def test_a_pupils_second_row_with_a_different_pr_is_a_warning_and_the_first_is_kept():
    parsed = parse_roster(
        roster(
            row(1, email="mum@example.org", relationship="Mother", responsibility="Y"),
            row(1, email="mum@example.org", relationship="Mother", responsibility="N"),
        )
    )

    assert parsed.errors == []
    [link] = parsed.links.values()
    assert link.parental_responsibility is True
    assert parsed.warnings[0].line == 3
    assert "line 2" in parsed.warnings[0].message


def test_the_preview_lists_the_left_out_detail_with_its_line(school_admin_client, school):
    response = upload(
        school_admin_client,
        school,
        roster(row(1), row(2, email="ok@example.org", mobile="020 7946 0000")),
    )

    preview = school_admin_client.get(response.url).content.decode()
    assert '<th scope="row">Pupils to create</th><td>2</td>' in preview
    assert "<tr><td>3</td><td>contact mobile “020 7946 0000” is a landline" in preview


def test_the_command_prints_each_warning_with_its_line(school, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(row(1, email="pat@example", mobile="07911 123456")))
    out = StringIO()

    call_command("import_roster", "--school", school.urn, str(path), stdout=out)

    text = out.getvalue()
    assert "pupils created: 1" in text
    assert "rows with errors (skipped): 0" in text
    assert "warning, line 2: contact email “pat@example” is not a valid email address" in text
