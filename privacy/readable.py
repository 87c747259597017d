"""The readable page of a person's export (``index.html`` in the ZIP).

The categories' exports are plain JSON; this turns each into something a person
can read: a list of fields for one record, a table for several, dates written
out in UK time, yes and no for booleans, and a link to each photo in the ZIP. The
page is rendered by the template engine, so every value is HTML-escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import dateformat, timezone

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
NOTHING = "—"


@dataclass
class Cell:
    text: str
    # The file's path inside the ZIP, when the value names a file the export holds.
    file: str = ""
    missing: bool = False


@dataclass
class Section:
    """One category: a list of fields, a table, or nothing held."""

    title: str
    description: str
    fields: list[tuple[str, Cell]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.rows


@dataclass
class Part:
    """A heading and its sections: the person's own data, or one child's."""

    title: str
    intro: str
    sections: list[Section]

    @property
    def held(self) -> list[Section]:
        return [section for section in self.sections if not section.empty]

    @property
    def nothing_held(self) -> list[Section]:
        return [section for section in self.sections if section.empty]


def label(key: str) -> str:
    """``completed_at`` → "Completed at"."""
    return str(key).replace("_", " ").strip().capitalize()


def readable_text(value) -> str:
    """Any exported value as text: dates in UK time, yes/no, nested data inline."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _readable_date(value) or value
    if isinstance(value, dict):
        return "; ".join(f"{label(key)}: {readable_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable_text(item) for item in value) or NOTHING
    return str(value)


def _readable_date(text: str) -> str | None:
    try:
        if ISO_DATE.match(text):
            return dateformat.format(date.fromisoformat(text), "j F Y")
        if ISO_DATETIME.match(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return dateformat.format(moment, "j F Y, H:i")
    except ValueError:
        return None
    return None


@dataclass
class Known:
    """What the page can say in words: files in the ZIP (stored name -> path),
    those missing, the children's names by pupil id, and the reader's own account id."""

    files: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    pupils: dict[int, str] = field(default_factory=dict)
    reader: int | None = None

    def cell(self, key: str, value) -> Cell:
        if isinstance(value, str) and value in self.files:
            return Cell(text=value, file=self.files[value], missing=value in self.missing)
        if key == "pupil" and isinstance(value, int) and value in self.pupils:
            return Cell(text=self.pupils[value])
        if key == "parent" and value is not None and value == self.reader:
            return Cell(text="You")
        return Cell(text=readable_text(value))


def section(category, exported, *, known: Known) -> Section:
    """``exported`` (one category's export) as a section of the page."""
    result = Section(title=label(category.name), description=category.description)
    if isinstance(exported, dict):
        result.fields = [(label(key), known.cell(key, value)) for key, value in exported.items()]
        return result
    records = [row if isinstance(row, dict) else {"value": row} for row in exported or []]
    keys = list(dict.fromkeys(key for row in records for key in row))
    result.columns = [label(key) for key in keys]
    result.rows = [[known.cell(key, row.get(key)) for key in keys] for row in records]
    return result


def readable_page(*, title: str, header: list[tuple[str, str]], parts: list[Part]) -> str:
    return render_to_string(
        "privacy/export/index.html", {"title": title, "header": header, "parts": parts}
    )
