"""After a family's erasure, nothing the portal keeps names them: a dump of every
table and a walk of every storage folder hold none of their names, email
addresses, mobile numbers, UPNs, comments or photos (issue 11, point 6)."""

import base64
import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

from audit.models import AuditEntry
from learning.models import Completion, Feedback
from privacy.services import user_erase
from privacy.services.erasure_batches import users_erase
from schools.models import Pupil
from tests.factories import UserFactory
from tests.privacy.erasure_world import PARENT_MOBILE, family_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def folders(settings, tmp_path, private_folder) -> list[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return [Path(settings.MEDIA_ROOT), private_folder]


def _binary_fields() -> dict[str, list[str]]:
    return {
        model._meta.label_lower: [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.BinaryField)
        ]
        for model in apps.get_models()
    }


def database_dump() -> str:
    """``dumpdata`` of every app, with binary fields (stored files' content)
    decoded, in lower case."""
    out = StringIO()
    call_command("dumpdata", stdout=out)
    rows = json.loads(out.getvalue())
    binary = _binary_fields()
    decoded = [
        base64.b64decode(row["fields"][name] or "").decode("utf-8", "replace")
        for row in rows
        for name in binary.get(row["model"], [])
    ]
    return "\n".join([out.getvalue(), *decoded]).lower()


def stored_files(folders: list[Path]) -> dict[str, str]:
    """Every file under the storage folders: path -> content (as text, lower case)."""
    return {
        str(path): path.read_bytes().decode("utf-8", "replace").lower()
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    }


def found(secrets: list[str], folders: list[Path]) -> dict[str, list[str]]:
    """Where each secret still is: "database" and/or file paths."""
    dump = database_dump()
    files = stored_files(folders)
    places = {}
    for secret in secrets:
        text = secret.lower()
        where = (["database"] if text in dump else []) + [
            path for path, content in files.items() if text in content or text in path.lower()
        ]
        if where:
            places[secret] = where
    return places


def _one_at_a_time(parent):
    user_erase(user=parent, actor=parent, reason="own_request")


def _as_a_batch(parent):
    # The retention task's path: a batch of accounts erased together.
    users_erase(users=[UserFactory(), parent], actor=None, reason="own_request")


@pytest.mark.parametrize("erase", [_one_at_a_time, _as_a_batch], ids=["one", "batch"])
def test_after_a_familys_erasure_no_dump_or_stored_file_holds_their_data(
    client, folders, django_capture_on_commit_callbacks, erase
):
    family = family_world(client)
    before = found(family.secrets, folders)
    # The world really holds each of them (so this test can fail), in the database
    # or in the photo files; the national form of the mobile is a spelling to look for.
    assert set(family.secrets) - set(before) == {PARENT_MOBILE.replace("+44", "0")}
    assert all(Path(folders[1], name).exists() for name in family.photos)

    with django_capture_on_commit_callbacks(execute=True):
        erase(family.parent)

    assert found(family.secrets, folders) == {}
    assert not any(Path(folders[1], name).exists() for name in family.photos)


def test_what_the_school_keeps_after_the_erasure_has_no_identity(client, folders):
    family = family_world(client)
    entries = AuditEntry.objects.count()

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    child = Pupil.objects.get(pk=family.child.pk)
    assert child.anonymised_at is not None
    assert (child.school_id, child.school_class_id) == (family.school.pk, family.school_class.pk)
    assert not child.guardianships.exists()
    # Completion counts and ratings stay, linked to no parent.
    assert Completion.objects.filter(pupil=child, completed_by=None).count() == 2
    assert sorted(Feedback.objects.filter(pupil=child).values_list("rating", flat=True)) == [4, 5]
    assert not Feedback.objects.exclude(comment="").exists()
    assert not Feedback.objects.exclude(photo="").exists()
    # Audit entries are redacted, never deleted: the erasure adds its own records.
    assert AuditEntry.objects.count() == entries + 3  # user.close, pupil.anonymise, user.erase
    family.parent.refresh_from_db()
    assert family.parent.closed_at is not None and not family.parent.is_active


def postgresql_dump() -> str:
    """``pg_dump`` of the test database's data: every table, Django's or not; byte
    columns come out as hex, so they are decoded too. Lower case."""
    database = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "--dbname", database["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database[key]:
            command += [option, str(database[key])]
    environment = {**os.environ, "PGPASSWORD": str(database["PASSWORD"] or "")}
    dump = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    decoded = [
        bytes.fromhex(word[3:]).decode("utf-8", "replace")
        for word in dump.stdout.split()
        if word.startswith("\\\\x") and all(c in "0123456789abcdef" for c in word[3:])
    ]
    return "\n".join([dump.stdout, *decoded]).lower()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
def test_on_postgresql_a_raw_dump_of_every_table_holds_none_of_it_either(client, folders):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    family = family_world(client)
    assert "brackenwhistle" in postgresql_dump()

    user_erase(user=family.parent, actor=family.parent, reason="own_request")

    dump = postgresql_dump()
    assert [secret for secret in family.secrets if secret.lower() in dump] == []
