"""A copy of everything held about one person (right of access and portability).

Built from the registry's categories, never from the apps' models:

- for an account (a parent downloading their own data): every category's export
  of the account, and for each of their children the child's data as that parent
  may have it (``DataCategory.export_for_parent``: never another parent's
  comments, photos, contact details or doings);
- for a pupil (a school admin answering a request): every category's export of
  the pupil, in full.

The result is a ZIP: ``data.json`` (machine-readable: a short header, then one key
per category), ``index.html`` (the same, readable, self-contained) and ``photos/``
(the files the exports list, copied from storage in chunks; a missing file is
noted, never an error). It is built in a temporary file that is deleted once the
response has been sent. Each export is audited (``privacy.export``, ids and counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import dateformat, timezone

from accounts import access
from audit.services import audit_record
from privacy.archive import Archive, json_dumps, stored_file_path
from privacy.readable import Known, Part, readable_page, section
from privacy.registry import PUPIL, SCHOOL_ONLY, USER, categories

PORTAL_NAME = "Home Learning Portal"
PHOTOS_FOLDER = "photos"


@dataclass
class DataExport:
    """A finished export: the ZIP (a temporary file, open at its start; closing it
    deletes it), the name to download it under, and what it holds, counted."""

    file: IO[bytes]
    filename: str
    counts: dict[str, int]


@dataclass
class _Part:
    """One person's data in the export: their own, or one child's."""

    title: str
    intro: str
    data: dict[str, Any]
    # For a child: who the child is, as data.json's "children" list names them.
    child: dict[str, Any] | None = None


def _user_parts(user) -> list[_Part]:
    own = _Part(
        title="About you",
        intro="Your account and what you have done on the portal.",
        data={c.name: c.export(user=user) for c in categories() if USER in c.subjects},
    )
    parts = [own]
    pupil_categories = [
        c for c in categories() if PUPIL in c.subjects and c.parent_copy != SCHOOL_ONLY
    ]
    children = access.children_of(user).select_related("school", "school_class")
    for child in children.order_by("first_name", "last_name", "pk"):
        parts.append(
            _Part(
                title=f"{child.full_name} ({child.school.name_for_parents})",
                intro=(
                    f"What the portal holds about {child.first_name} that you see as their "
                    "parent or carer. Another parent or carer's comments, photos and contact "
                    "details are theirs and are not in your copy. The school's own records, "
                    "such as the pupil number, are the school's to give: ask the school."
                ),
                data={
                    c.name: c.export_for_parent(parent=user, pupil=child) for c in pupil_categories
                },
                child={
                    "pupil": child.pk,
                    "name": child.full_name,
                    "school": child.school.name_for_parents,
                },
            )
        )
    return parts


def _pupil_parts(pupil) -> list[_Part]:
    return [
        _Part(
            title=f"{pupil.full_name} ({pupil.school.name})",
            intro="Everything the portal holds about this pupil at this school.",
            data={c.name: c.export(pupil=pupil) for c in categories() if PUPIL in c.subjects},
        )
    ]


def _files(parts: list[_Part]) -> dict[str, tuple[Any, str]]:
    """Every stored file the exports list: stored name -> (storage, path in the ZIP)."""
    found = {}
    by_name = {c.name: c for c in categories()}
    for part in parts:
        for name, exported in part.data.items():
            for storage, stored_name in by_name[name].files(exported):
                found.setdefault(
                    stored_name, (storage, stored_file_path(PHOTOS_FOLDER, stored_name))
                )
    return found


def _rows(data: dict[str, Any]) -> int:
    return sum(
        len(value) if isinstance(value, list) else int(bool(value)) for value in data.values()
    )


def _document(header: dict[str, Any], parts: list[_Part]) -> dict[str, Any]:
    """data.json: the header, the person's own data (one key per category) and,
    for a parent, each child's."""
    document = {"export": header, "data": parts[0].data}
    if header["subject"]["kind"] == "account":
        document["children"] = [{**part.child, "data": part.data} for part in parts[1:]]
    return document


def _readable(*, title: str, subject, parts: list[_Part], now, paths, missing) -> str:
    by_name = {c.name: c for c in categories()}
    known = Known(
        files=paths,
        missing=missing,
        pupils={part.child["pupil"]: part.child["name"] for part in parts if part.child},
        reader=subject["id"] if subject["kind"] == "account" else None,
    )
    return readable_page(
        title=title,
        header=[
            ("From", PORTAL_NAME),
            ("Made on", dateformat.format(timezone.localtime(now), r"j F Y \a\t H:i")),
            ("About", subject["name"]),
            *([("Files missing", ", ".join(sorted(missing)))] if missing else []),
        ],
        parts=[
            Part(
                title=part.title,
                intro=part.intro,
                sections=[
                    section(by_name[name], exported, known=known)
                    for name, exported in part.data.items()
                ],
            )
            for part in parts
        ],
    )


def _build(*, title: str, subject: dict[str, Any], parts: list[_Part], filename: str) -> DataExport:
    """The ZIP: the files first (copied in chunks), then data.json and index.html."""
    now = timezone.now()
    files = _files(parts)
    archive = Archive()
    try:
        missing = {
            stored_name
            for stored_name, (storage, path) in files.items()
            if not archive.copy_stored_file(path, storage, stored_name)
        }
        header = {
            "portal": PORTAL_NAME,
            "generated_at": now,
            "subject": subject,
            "files_folder": PHOTOS_FOLDER,
            "files_missing": sorted(missing),
        }
        archive.write_text("data.json", json_dumps(_document(header, parts), indent=2))
        paths = {stored_name: path for stored_name, (_, path) in files.items()}
        archive.write_text(
            "index.html",
            _readable(
                title=title, subject=subject, parts=parts, now=now, paths=paths, missing=missing
            ),
        )
        file = archive.finish()
    except BaseException:
        archive.discard()
        raise
    counts = {
        "rows": sum(_rows(part.data) for part in parts),
        "files": len(files) - len(missing),
        "files_missing": len(missing),
    }
    return DataExport(
        file=file, filename=f"{filename}-{timezone.localdate(now)}.zip", counts=counts
    )


@transaction.atomic
def user_data_export(*, user, actor) -> DataExport:
    """Everything held about ``user`` and, as their parent, about their children."""
    parts = _user_parts(user)
    export = _build(
        title=f"Your data from the {PORTAL_NAME}",
        subject={"kind": "account", "id": user.pk, "name": user.get_full_name()},
        parts=parts,
        filename="home-learning-data",
    )
    export.counts["children"] = len(parts) - 1
    audit_record(
        actor=actor,
        action="privacy.export",
        subject=user,
        changes={"user": user.pk, **export.counts},
    )
    return export


@transaction.atomic
def pupil_data_export(*, pupil, actor) -> DataExport:
    """Everything held about ``pupil`` at their school, for the school."""
    export = _build(
        title=f"Data held about {pupil.full_name}",
        subject={
            "kind": "pupil",
            "id": pupil.pk,
            "name": pupil.full_name,
            "school": pupil.school.name,
        },
        parts=_pupil_parts(pupil),
        filename=f"pupil-{pupil.pk}-data",
    )
    audit_record(
        actor=actor,
        action="privacy.export",
        subject=pupil,
        school=pupil.school,
        changes={"pupil": pupil.pk, **export.counts},
    )
    return export
