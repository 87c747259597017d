"""Reading a roster CSV: decoding, header matching and per-row validation.

Nothing here touches the database. The result says what the file asks for
(pupils keyed by UPN hash, contacts merged across siblings, the links between
them) plus every row that was skipped and why, by physical line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from django.conf import settings

from schools.roster.columns import (
    FIELD_ALIASES,
    HEADER_LOOKUP,
    MAX_LENGTHS,
    PUPIL_FIELD_LABELS,
    REQUIRED_FIELDS,
    normalise_header,
    parse_bool,
    parse_year_group,
    quoted,
    upn_and_hash,
)
from schools.roster.contacts import RowContact, contact_read

# More columns than this in the header is not a roster (a roster has a dozen).
MAX_COLUMNS = 500
T = TypeVar("T")
# How often (in rows) progress is reported while reading.
PROGRESS_EVERY = 250


class RosterFileError(Exception):
    """The file as a whole cannot be read as a roster; the message says why."""


@dataclass(frozen=True, slots=True)
class RowIssue:
    line: int
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass(slots=True)
class PupilEntry:
    line: int
    upn: str
    upn_hash: str
    first_name: str
    last_name: str
    year_group: int | None
    class_name: str
    pupil_premium: bool


@dataclass(slots=True)
class ContactEntry:
    line: int
    first_name: str
    last_name: str
    email: str | None
    mobile: str | None


@dataclass(slots=True)
class LinkEntry:
    line: int
    upn_hash: str
    contact: int  # index into ParsedRoster.contacts
    relationship: str
    parental_responsibility: bool


@dataclass
class ParsedRoster:
    columns: frozenset[str]
    ignored_columns: list[str]
    row_count: int = 0
    pupils: dict[str, PupilEntry] = field(default_factory=dict)
    contacts: list[ContactEntry] = field(default_factory=list)
    links: dict[tuple[str, int], LinkEntry] = field(default_factory=dict)
    # UPN hashes of every row with a valid UPN, including rows skipped for another
    # reason: such a pupil is in the file, so never "missing" from it.
    seen_upn_hashes: set[str] = field(default_factory=set)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    contacts_by_email: dict[str, int] = field(default_factory=dict)
    contacts_by_mobile: dict[str, int] = field(default_factory=dict)


def decode_roster(content: bytes) -> str:
    """The file's text, or a RosterFileError saying plainly what is wrong with it."""
    if not content or not content.strip():
        raise RosterFileError("The file is empty.")
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise RosterFileError(
            f"The file is too large ({len(content) / 1_000_000:.1f} MB); "
            f"the most accepted is {limit / 1_000_000:.1f} MB."
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError(
            "The file is saved as UTF-16. Save it as “CSV UTF-8 (comma delimited)” and "
            "upload it again."
        )
    if b"\x00" in content:
        raise RosterFileError(
            "This is not a CSV text file (it contains binary data). Export the roster "
            "from your MIS as CSV and upload that file."
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise RosterFileError(
            f"The file is not UTF-8 text (first problem on line {line}). Save it as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ) from None


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    if len(header) > MAX_COLUMNS:
        raise RosterFileError(
            f"The first line has {len(header):,} columns; a roster has about a dozen "
            f"(at most {MAX_COLUMNS} are accepted). Check that this is the roster file."
        )
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        field_name = HEADER_LOOKUP.get(normalise_header(name))
        if field_name is None:
            if name.strip():
                ignored.append(name.strip()[:60])
            continue
        if field_name in positions:
            first = header[positions[field_name]].strip()
            raise RosterFileError(
                f"The columns {quoted(first)} and {quoted(name.strip())} both give the "
                f"{field_name.replace('_', ' ')}; keep only one of them."
            )
        positions[field_name] = index
    missing = [FIELD_ALIASES[name][0] for name in REQUIRED_FIELDS if name not in positions]
    if missing:
        raise RosterFileError(
            "The file is missing required columns: "
            + ", ".join(missing)
            + ". The first line must be a header naming the columns, e.g. "
            "UPN, Forename, Surname, Year, Class, Pupil Premium, Contact Forename, "
            "Contact Surname, Contact Email, Contact Mobile, Relationship, PR."
        )
    return positions, ignored


def _cached(cache: dict, kind: str, raw: str, normalise: Callable[[str], T]) -> T:
    """Normalise each spelling once: siblings' rows repeat their parents' details."""
    key = (kind, raw)
    result = cache.get(key)
    if result is None:
        try:
            result = normalise(raw)
        except ValueError as error:
            result = error
        cache[key] = result
    if isinstance(result, ValueError):
        raise ValueError(str(result))
    return result


def parse_roster(content: bytes, *, progress: Callable[[int], None] | None = None) -> ParsedRoster:
    """Read and validate a roster file; raise RosterFileError if it cannot be read at all."""
    text = decode_roster(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header: list[str] | None = None
        header_line = 0
        for cells in reader:
            if any(cell.strip() for cell in cells):
                header = cells
                header_line = reader.line_num
                break
        if header is None:
            raise RosterFileError("The file is empty.")
        positions, ignored = _map_header(header)
        parsed = ParsedRoster(columns=frozenset(positions), ignored_columns=ignored)
        cache: dict[tuple[str, str], object] = {}
        previous_line = reader.line_num
        for cells in reader:
            line = previous_line + 1
            previous_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            parsed.row_count += 1
            _read_row(parsed, cache, positions, cells, line)
            if progress is not None and parsed.row_count % PROGRESS_EVERY == 0:
                progress(parsed.row_count)
    except csv.Error as error:
        raise RosterFileError(
            f"Line {reader.line_num}: the file could not be read as CSV ({error}). "
            "Check that it is a comma-separated export and that no cell is enormous."
        ) from None
    if parsed.row_count == 0:
        raise RosterFileError(
            f"The file has a header (line {header_line}) but no pupil rows below it."
        )
    if progress is not None:
        progress(parsed.row_count)
    return parsed


def _read_row(
    parsed: ParsedRoster,
    cache: dict[tuple[str, str], object],
    positions: dict[str, int],
    cells: list[str],
    line: int,
) -> None:
    if len(cells) > MAX_COLUMNS:
        parsed.errors.append(RowIssue(line, f"the row has {len(cells):,} cells, far too many"))
        return
    width = len(cells)
    values = {
        name: cells[index].strip() if index < width else "" for name, index in positions.items()
    }
    problems: list[str] = []

    upn_raw = values["upn"]
    upn = upn_hash = ""
    if not upn_raw:
        problems.append("UPN is missing")
    else:
        try:
            upn, upn_hash = _cached(cache, "upn", upn_raw, upn_and_hash)
        except ValueError as error:
            problems.append(f"UPN {quoted(upn_raw)} {error}")
        else:
            parsed.seen_upn_hashes.add(upn_hash)
    for name in ("first_name", "last_name"):
        if not values[name]:
            problems.append(f"{PUPIL_FIELD_LABELS[name]} is missing")
    for name, (label, limit) in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            problems.append(f"{label} is longer than {limit} characters")

    year_group = None
    pupil_premium = False
    try:
        year_group = parse_year_group(values.get("year_group", ""))
    except ValueError as error:
        problems.append(str(error))
    try:
        pupil_premium = parse_bool(values.get("pupil_premium", ""), "Pupil Premium")
    except ValueError as error:
        problems.append(str(error))

    if problems:
        parsed.errors.append(RowIssue(line, "; ".join(problems)))
        return

    pupil = PupilEntry(
        line=line,
        upn=upn,
        upn_hash=upn_hash,
        first_name=values["first_name"],
        last_name=values["last_name"],
        year_group=year_group,
        class_name=values.get("class_name", ""),
        pupil_premium=pupil_premium,
    )
    earlier = parsed.pupils.get(upn_hash)
    if earlier is not None:
        differences = [
            label
            for name, label in PUPIL_FIELD_LABELS.items()
            if getattr(earlier, name) != getattr(pupil, name)
        ]
        if differences:
            parsed.errors.append(
                RowIssue(
                    line,
                    f"the pupil with UPN {upn} is on line {earlier.line} with a different "
                    + ", ".join(differences),
                )
            )
            return

    contact, notes = contact_read(values, partial(_cached, cache))
    parsed.warnings.extend(RowIssue(line, note) for note in notes)
    if contact is not None:
        _link_contact(parsed, contact, upn, upn_hash, line)
    if earlier is None:
        parsed.pupils[upn_hash] = pupil


def _contact_for(parsed: ParsedRoster, contact: ContactEntry) -> int:
    """The index of the contact this row names, merging siblings' shared contacts.

    The same email (compared lower-case) is the same person. Otherwise the same
    mobile (compared in E.164) is the same person, unless both have different emails.
    """
    index = None
    if contact.email is not None:
        index = parsed.contacts_by_email.get(contact.email)
    if index is None and contact.mobile is not None:
        candidate = parsed.contacts_by_mobile.get(contact.mobile)
        if candidate is not None:
            known = parsed.contacts[candidate]
            if contact.email is None or known.email is None:
                index = candidate
    if index is None:
        parsed.contacts.append(contact)
        index = len(parsed.contacts) - 1
    else:
        known = parsed.contacts[index]
        known.email = known.email or contact.email
        known.mobile = known.mobile or contact.mobile
        known.first_name = known.first_name or contact.first_name
        known.last_name = known.last_name or contact.last_name
    known = parsed.contacts[index]
    if known.email is not None:
        parsed.contacts_by_email.setdefault(known.email, index)
    if contact.mobile is not None:
        parsed.contacts_by_mobile.setdefault(contact.mobile, index)
    if known.mobile is not None:
        parsed.contacts_by_mobile.setdefault(known.mobile, index)
    return index


def _link_contact(
    parsed: ParsedRoster, contact: RowContact, upn: str, upn_hash: str, line: int
) -> None:
    contact_index = _contact_for(
        parsed,
        ContactEntry(
            line=line,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            mobile=contact.mobile,
        ),
    )
    link = LinkEntry(
        line=line,
        upn_hash=upn_hash,
        contact=contact_index,
        relationship=contact.relationship,
        parental_responsibility=contact.parental_responsibility,
    )
    earlier_link = parsed.links.get((upn_hash, contact_index))
    if earlier_link is None:
        parsed.links[(upn_hash, contact_index)] = link
    elif (
        earlier_link.relationship != link.relationship
        or earlier_link.parental_responsibility != link.parental_responsibility
    ):
        parsed.warnings.append(
            RowIssue(
                line,
                f"this contact is given for the pupil with UPN {upn} on line "
                f"{earlier_link.line} with a different relationship or PR; "
                f"line {earlier_link.line}'s is kept",
            )
        )
