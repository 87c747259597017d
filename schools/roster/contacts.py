"""A roster row's contact, read apart from its pupil.

A pupil's row stands or falls on the pupil's own fields. A contact's email or
mobile that cannot be used is left out with a warning saying why, and the other
one is kept; a contact left with neither is not created, since no parent account
could be made or reached for them. A contact whose other cells cannot be read
(a name too long, say) is left out of its row, also with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from accounts.lookup import mobile_for_texts
from schools.roster.columns import (
    CONTACT_FIELDS,
    CONTACT_MAX_LENGTHS,
    contact_email,
    parse_bool,
    quoted,
)

T = TypeVar("T")
# Reads one cell once per spelling: (kind, raw, normalise) -> value, or ValueError.
CellReader = Callable[[str, str, Callable[[str], T]], T]


@dataclass(frozen=True, slots=True)
class RowContact:
    first_name: str
    last_name: str
    email: str | None
    mobile: str | None
    relationship: str
    parental_responsibility: bool


def contact_read(values: dict[str, str], read: CellReader) -> tuple[RowContact | None, list[str]]:
    """The row's contact (None if there is none to create) and warnings about it."""
    if not any(values.get(name) for name in CONTACT_FIELDS):
        return None, []
    name = " ".join(
        filter(None, [values.get("contact_first_name"), values.get("contact_last_name")])
    )
    problems = [
        f"{label} is longer than {limit} characters"
        for field_name, (label, limit) in CONTACT_MAX_LENGTHS.items()
        if len(values.get(field_name, "")) > limit
    ]
    responsibility = False
    try:
        responsibility = parse_bool(
            values.get("parental_responsibility", ""), "parental responsibility"
        )
    except ValueError as error:
        problems.append(str(error))
    if problems:
        return None, ["; ".join(problems) + ", so this row's contact is left out"]

    email = mobile = None
    left_out: list[str] = []
    if raw := values.get("contact_email"):
        try:
            email = read("email", raw, contact_email)
        except ValueError as error:
            left_out.append(f"contact email {quoted(raw)} {error}")
    if raw := values.get("contact_mobile"):
        try:
            mobile = read("mobile", raw, mobile_for_texts)
        except ValueError as error:
            left_out.append(f"contact mobile {quoted(raw)} {error}")

    if email is None and mobile is None:
        if not left_out:
            return None, [
                f"contact {name or '(no name)'} has neither an email nor a mobile number, "
                "so no parent account can be made for them"
            ]
        it = "both are" if len(left_out) == 2 else "it is"
        return None, [
            "; ".join(left_out) + f": {it} left out, and with neither an email nor a mobile "
            f"no contact is created for {name or 'this row'}"
        ]
    warnings = []
    if left_out:
        kept = "email" if email is not None else "mobile"
        warnings.append(f"{left_out[0]}: it is left out, and the contact's {kept} is kept")
    contact = RowContact(
        first_name=values.get("contact_first_name", ""),
        last_name=values.get("contact_last_name", ""),
        email=email,
        mobile=mobile,
        relationship=values.get("relationship", ""),
        parental_responsibility=responsibility,
    )
    return contact, warnings
