"""After a family's erasure, nothing the portal keeps names them: a dump of every
table and a walk of every storage folder hold none of their names, email
addresses, mobile numbers, UPNs, comments or photos (issue 11, point 6)."""

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from audit.models import AuditEntry
from learning.models import Completion, Feedback
from privacy.services import user_erase
from schools.models import Pupil
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


def test_after_a_familys_erasure_no_dump_or_stored_file_holds_their_data(
    client, folders, django_capture_on_commit_callbacks
):
    family = family_world(client)
    before = found(family.secrets, folders)
    # The world really holds each of them (so this test can fail), in the database
    # or in the photo files; the national form of the mobile is a spelling to look for.
    assert set(family.secrets) - set(before) == {PARENT_MOBILE.replace("+44", "0")}
    assert all(Path(folders[1], name).exists() for name in family.photos)

    with django_capture_on_commit_callbacks(execute=True):
        user_erase(user=family.parent, actor=family.parent, reason="own_request")

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
