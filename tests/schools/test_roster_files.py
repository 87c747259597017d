"""Malformed roster files: a clear message on the page and from the command, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from schools.management.commands.import_roster import Command as ImportRosterCommand
from schools.models import Pupil, RosterImport
from tests.schools.roster_files import HEADER, roster, row

pytestmark = pytest.mark.django_db

GIGANTIC_CELL = "x" * 200_000

MALFORMED = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50, "binary data"),
    "utf16": (roster(row(1, first="Zoë")).decode().encode("utf-16"), "UTF-16"),
    "latin1": (roster(row(1), row(2, first="Zoë")).decode().encode("latin-1"), "not UTF-8"),
    "empty": (b"", "The file is empty"),
    "blank lines only": (b"\r\n  \n\n", "The file is empty"),
    "no header": (roster(row(2), header=row(1)), "missing required columns: UPN, Forename"),
    "missing columns": (b"UPN,Year\nA123,3\n", "missing required columns: Forename, Surname"),
    "50,000 columns": (
        (",".join(f"column {index}" for index in range(50_000)) + "\n1,2\n").encode(),
        "50,000 columns",
    ),
    "gigantic field": (roster(row(1, first=GIGANTIC_CELL)), "could not be read as CSV"),
    "header only": (HEADER.encode() + b"\r\n", "no pupil rows"),
    "repeated column": (
        roster(row(1) + ",x@example.org", header=HEADER + ",Email"),
        "both give the contact email",
    ),
}


def upload(client, school, content: bytes, name="roster.csv", **data):
    return client.post(
        reverse("schools:roster_upload", args=[school.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **data},
        follow=True,
    )


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_gets_a_clear_message_on_the_page(school_admin_client, school, case):
    content, message = MALFORMED[case]

    response = upload(school_admin_client, school, content)

    assert response.status_code == 200
    page = response.content.decode()
    if case == "empty":
        # An empty upload is refused by the form, before anything is stored.
        assert "The submitted file is empty" in page or message in page
        assert not RosterImport.objects.exists()
    else:
        assert message in page
        assert "could not be imported" in page
        stored = RosterImport.objects.get()
        assert stored.status == RosterImport.Status.INVALID
        assert bytes(stored.content) == b""
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_gets_a_clear_message_from_the_command(school, tmp_path, case):
    content, message = MALFORMED[case]
    path = tmp_path / "roster.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("import_roster", "--school", school.urn, str(path))

    assert not Pupil.objects.exists()


def test_too_large_an_upload_is_refused_on_the_page(school_admin_client, school, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1_000
    content = roster(*(row(serial) for serial in range(40)))

    response = upload(school_admin_client, school, content)

    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_too_large_a_file_is_refused_by_the_command(school, tmp_path, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1_000
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(*(row(serial) for serial in range(40))))

    with pytest.raises(CommandError, match="The file is too large"):
        call_command("import_roster", "--school", school.urn, str(path))


def test_an_upload_without_a_file_asks_for_one(school_admin_client, school):
    response = school_admin_client.post(
        reverse("schools:roster_upload", args=[school.pk]), {}, follow=True
    )

    assert response.status_code == 200
    assert "Choose a roster file to upload." in response.content.decode()


def test_the_command_refuses_an_unknown_urn(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(row(1)))

    with pytest.raises(CommandError, match="No school has the URN '999999'"):
        call_command("import_roster", "--school", "999999", str(path))


def test_the_command_refuses_a_file_it_cannot_read(school, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_roster", "--school", school.urn, str(tmp_path / "missing.csv"))


def test_the_command_exits_non_zero_with_the_message_on_a_file_error(school, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\x00\x01\x02")

    with pytest.raises(SystemExit) as exit_info:
        ImportRosterCommand().run_from_argv(
            ["manage.py", "import_roster", "--school", school.urn, str(path)]
        )

    assert exit_info.value.code != 0
    assert "binary data" in capsys.readouterr().err
