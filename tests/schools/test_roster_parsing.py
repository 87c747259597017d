"""Reading a roster file: header aliases, formats and every per-row rule (no database)."""

import pytest

from accounts.lookup import upn_lookup_hash
from schools.models import YearGroup
from schools.roster.parsing import parse_roster
from tests.schools.roster_files import HEADER, roster, row, upn


def only_pupil(parsed):
    assert len(parsed.pupils) == 1, parsed.errors
    return next(iter(parsed.pupils.values()))


@pytest.mark.parametrize(
    "header",
    [
        "UPN,Forename,Surname,Year,Class,Pupil Premium,Contact Forename,Contact Surname,"
        "Contact Email,Contact Mobile,Relationship,Parental Responsibility",
        "upn,LEGAL FORENAME,legal_surname,Year Group,Reg Group,PP,contact_first_name,"
        "Contact Last Name,Email,Mobile,relationship,PR",
        " UPN ,First Name,Last Name,NC Year,Registration Group,pupil_premium,"
        "ContactForename,CONTACT SURNAME,contact email,contact_mobile,Relationship,pr",
    ],
)
def test_every_header_alias_is_recognised_ignoring_case_spaces_and_underscores(header):
    line = row(1, contact_first="Jane", email="jane@example.org", relationship="Mother")
    parsed = parse_roster(roster(line.replace(",N,", ",Y,") + "Y", header=header))

    assert parsed.errors == []
    pupil = only_pupil(parsed)
    assert (pupil.first_name, pupil.last_name, pupil.year_group) == ("Amy", "Smith", 3)
    assert (pupil.class_name, pupil.pupil_premium) == ("3S", True)
    assert parsed.contacts[0].email == "jane@example.org"
    assert parsed.contacts[0].first_name == "Jane"
    link = next(iter(parsed.links.values()))
    assert (link.relationship, link.parental_responsibility) == ("Mother", True)


def test_utf8_with_bom_and_crlf_line_endings_is_read():
    content = "\ufeff".encode() + roster(row(1, first="Zoë"), row(2), newline="\r\n")

    parsed = parse_roster(content)

    assert parsed.errors == []
    assert parsed.row_count == 2
    assert {pupil.first_name for pupil in parsed.pupils.values()} == {"Zoë", "Amy"}


def test_line_numbers_are_physical_lines_with_blank_lines_and_quoted_newlines():
    content = roster(
        row(1, first='"Amy\nMay"'),  # lines 2-3
        "",  # line 4
        row(2, upn_text="NOT-A-UPN"),  # line 5
    )

    parsed = parse_roster(content)

    assert [issue.line for issue in parsed.errors] == [5]
    assert only_pupil(parsed).line == 2


def test_unknown_columns_are_ignored_and_reported():
    content = roster(row(1) + ",Leeds", header=HEADER + ",Town")

    parsed = parse_roster(content)

    assert parsed.errors == []
    assert parsed.ignored_columns == ["Town"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("R", YearGroup.RECEPTION),
        ("Reception", YearGroup.RECEPTION),
        ("N", YearGroup.NURSERY),
        ("Nursery", YearGroup.NURSERY),
        ("1", YearGroup.Y1),
        ("13", YearGroup.Y13),
        ("Year 3", YearGroup.Y3),
        ("year 10", YearGroup.Y10),
        ("", None),
    ],
)
def test_year_group_forms_map_to_year_group_values(raw, expected):
    parsed = parse_roster(roster(row(1, year=raw)))

    assert only_pupil(parsed).year_group == expected


@pytest.mark.parametrize("raw", ["14", "0", "Year 14", "Kindergarten", "3.5"])
def test_year_group_outside_nursery_to_13_is_a_row_error(raw):
    parsed = parse_roster(roster(row(1, year=raw)))

    assert parsed.pupils == {}
    assert parsed.errors[0].line == 2
    assert f"year group “{raw}”" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("N", False),
        ("No", False),
        ("false", False),
        ("0", False),
        ("", False),
    ],
)
def test_pupil_premium_and_parental_responsibility_accept_the_usual_booleans(raw, expected):
    line = row(1, pupil_premium=raw, email="a@example.org", responsibility=raw)

    parsed = parse_roster(roster(line))

    assert only_pupil(parsed).pupil_premium is expected
    assert next(iter(parsed.links.values())).parental_responsibility is expected


def test_an_unknown_pupil_premium_is_a_row_error_and_an_unknown_pr_leaves_the_contact_out():
    parsed = parse_roster(
        roster(row(1, pupil_premium="maybe"), row(2, responsibility="?", email="a@example.org"))
    )

    assert [(issue.line, issue.message.split(" “")[0]) for issue in parsed.errors] == [
        (2, "Pupil Premium"),
    ]
    assert only_pupil(parsed).line == 3
    assert parsed.contacts == []
    assert [(issue.line, issue.message.split(" “")[0]) for issue in parsed.warnings] == [
        (3, "parental responsibility"),
    ]


def test_upn_with_wrong_check_letter_is_a_row_error_with_line_and_reason():
    good = upn(1)
    wrong_letter = ("B" if good[0] != "B" else "C") + good[1:]

    parsed = parse_roster(roster(row(2), row(1, upn_text=wrong_letter)))

    assert len(parsed.pupils) == 1
    assert parsed.errors[0].line == 3
    assert wrong_letter in parsed.errors[0].message
    assert "not a valid UPN" in parsed.errors[0].message


def test_upn_is_compacted_and_upper_cased():
    parsed = parse_roster(roster(row(1, upn_text=" " + upn(1).lower() + " ")))

    pupil = only_pupil(parsed)
    assert pupil.upn == upn(1)
    assert pupil.upn_hash == upn_lookup_hash(upn(1))


def test_missing_upn_and_names_are_reported_together():
    parsed = parse_roster(roster(row(1, upn_text="", first="", last="")))

    assert parsed.pupils == {}
    message = parsed.errors[0].message
    assert "UPN is missing" in message
    assert "first name is missing" in message
    assert "last name is missing" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"first": "A" * 101}, "first name is longer than 100"),
        ({"last": "B" * 101}, "last name is longer than 100"),
        ({"school_class": "C" * 101}, "class is longer than 100"),
    ],
)
def test_pupil_values_longer_than_the_model_allows_are_row_errors(changes, expected):
    parsed = parse_roster(roster(row(1, **changes)))

    assert parsed.pupils == {}
    assert expected in parsed.errors[0].message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"contact_first": "D" * 151}, "contact first name is longer than 150"),
        ({"contact_last": "D" * 151}, "contact last name is longer than 150"),
        ({"relationship": "E" * 61}, "relationship is longer than 60"),
    ],
)
def test_contact_values_longer_than_the_model_allows_leave_the_contact_out(changes, expected):
    parsed = parse_roster(roster(row(1, email="d@example.org", **changes)))

    assert parsed.errors == []
    assert len(parsed.pupils) == 1
    assert parsed.contacts == []
    assert parsed.warnings[0].line == 2
    assert expected in parsed.warnings[0].message


def test_contact_email_is_lower_cased_and_mobile_stored_in_e164():
    parsed = parse_roster(roster(row(1, email=" Jane.Smith@Example.ORG ", mobile="07911 123456")))

    assert parsed.contacts[0].email == "jane.smith@example.org"
    assert parsed.contacts[0].mobile == "+447911123456"


def test_rows_for_one_pupil_that_disagree_make_the_later_an_error_naming_the_earlier_line():
    parsed = parse_roster(
        roster(
            row(1, email="mum@example.org"),
            row(2, first="Ben"),
            row(1, year="4", email="dad@example.org"),
        )
    )

    assert len(parsed.pupils) == 2
    assert parsed.errors[0].line == 4
    assert "on line 2" in parsed.errors[0].message
    assert "year group" in parsed.errors[0].message
    assert [contact.email for contact in parsed.contacts] == ["mum@example.org"]


def test_two_contacts_for_one_pupil_are_two_rows_and_two_links():
    parsed = parse_roster(
        roster(row(1, email="mum@example.org"), row(1, mobile="07911 123456")),
    )

    assert parsed.errors == []
    assert len(parsed.pupils) == 1
    assert len(parsed.contacts) == 2
    assert len(parsed.links) == 2


def test_a_pupil_with_no_contact_has_no_link():
    parsed = parse_roster(roster(row(1)))

    assert len(parsed.pupils) == 1
    assert parsed.contacts == []
    assert parsed.links == {}
    assert parsed.warnings == []


def test_a_named_contact_with_neither_email_nor_mobile_is_a_warning_not_an_error():
    parsed = parse_roster(roster(row(1, contact_first="Jane", contact_last="Smith")))

    assert parsed.errors == []
    assert len(parsed.pupils) == 1
    assert parsed.contacts == []
    assert parsed.warnings[0].line == 2
    assert "Jane Smith" in parsed.warnings[0].message


def test_siblings_sharing_an_email_in_different_case_share_one_contact():
    parsed = parse_roster(
        roster(
            row(1, first="Amy", email="Jane@Example.org"),
            row(2, first="Ben", email="jane@example.ORG"),
        )
    )

    assert len(parsed.contacts) == 1
    assert {link.contact for link in parsed.links.values()} == {0}
    assert len(parsed.links) == 2


@pytest.mark.parametrize("second", ["+44 7911 123456", "447911123456", "(07911) 123-456"])
def test_siblings_sharing_a_mobile_in_different_uk_formats_share_one_contact(second):
    parsed = parse_roster(
        roster(row(1, first="Amy", mobile="07911 123456"), row(2, first="Ben", mobile=second))
    )

    assert len(parsed.contacts) == 1
    assert len(parsed.links) == 2


def test_a_shared_mobile_with_two_different_emails_is_two_contacts():
    parsed = parse_roster(
        roster(
            row(1, email="mum@example.org", mobile="07911 123456"),
            row(2, first="Ben", email="dad@example.org", mobile="07911 123456"),
        )
    )

    assert [contact.email for contact in parsed.contacts] == ["mum@example.org", "dad@example.org"]


def test_a_pupil_whose_row_has_another_error_still_counts_as_in_the_file():
    parsed = parse_roster(roster(row(1, year="99")))

    assert parsed.pupils == {}
    assert parsed.seen_upn_hashes == {upn_lookup_hash(upn(1))}


def test_a_long_bad_value_is_cut_short_in_the_message():
    parsed = parse_roster(roster(row(1, year="9" * 5_000)))

    assert len(parsed.errors[0].message) < 200
    assert "…”" in parsed.errors[0].message
