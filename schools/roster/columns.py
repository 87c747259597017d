"""The roster file's format: its columns, their aliases and how cells are read.

The format is described in docs/architecture.md ("The roster file"): header names
match ignoring case, spaces and underscores; booleans and year groups accept the
forms MIS exports use.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from accounts.lookup import normalise_upn, upn_lookup_hash

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "upn": ("UPN",),
    "first_name": ("Forename", "Legal Forename", "First Name"),
    "last_name": ("Surname", "Legal Surname", "Last Name"),
    "year_group": ("Year", "Year Group", "NC Year"),
    "class_name": ("Class", "Reg Group", "Registration Group"),
    "pupil_premium": ("Pupil Premium", "PP"),
    "contact_first_name": ("Contact Forename", "Contact First Name"),
    "contact_last_name": ("Contact Surname", "Contact Last Name"),
    "contact_email": ("Contact Email", "Email"),
    "contact_mobile": ("Contact Mobile", "Mobile"),
    "relationship": ("Relationship",),
    "parental_responsibility": ("Parental Responsibility", "PR"),
}
REQUIRED_FIELDS = ("upn", "first_name", "last_name")
CONTACT_FIELDS = (
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_mobile",
    "relationship",
    "parental_responsibility",
)
# Field lengths match the models: Pupil and SchoolClass (the pupil's fields), User
# and Guardianship (the contact's).
MAX_LENGTHS = {
    "first_name": ("first name", 100),
    "last_name": ("last name", 100),
    "class_name": ("class", 100),
}
CONTACT_MAX_LENGTHS = {
    "contact_first_name": ("contact first name", 150),
    "contact_last_name": ("contact last name", 150),
    "relationship": ("relationship", 60),
}
EMAIL_MAX_LENGTH = 254
PUPIL_FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "year_group": "year group",
    "class_name": "class",
    "pupil_premium": "Pupil Premium",
}


def normalise_header(name: str) -> str:
    """Header names match ignoring case, spaces and underscores."""
    return re.sub(r"[\s_]+", "", name).lower()


HEADER_LOOKUP = {
    normalise_header(alias): field_name
    for field_name, aliases in FIELD_ALIASES.items()
    for alias in aliases
}

TRUE_WORDS = frozenset({"y", "yes", "true", "1", "t"})
FALSE_WORDS = frozenset({"n", "no", "false", "0", "f", ""})
YEAR_WORDS = {"reception": 0, "rec": 0, "yr": 0, "r": 0, "nursery": -1, "n": -1, "n1": -1, "n2": -1}
YEAR_PATTERN = re.compile(r"(?:year|yr|y)?(\d{1,2}|r|n)")

_email_validator = EmailValidator()


def quoted(raw: str, limit: int = 40) -> str:
    """A cell's value for a message, cut short: messages are stored and shown."""
    text = raw if len(raw) <= limit else raw[:limit] + "…"
    return f"“{text}”"


def parse_bool(raw: str, label: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{label} {quoted(raw)} is not one of Y/N, Yes/No, True/False, 1/0")


def parse_year_group(raw: str) -> int | None:
    text = re.sub(r"[\s_-]+", "", raw).lower()
    if not text:
        return None
    if text in YEAR_WORDS:
        return YEAR_WORDS[text]
    match = YEAR_PATTERN.fullmatch(text)
    if match:
        value = match.group(1)
        if value in YEAR_WORDS:
            return YEAR_WORDS[value]
        number = int(value)
        if 1 <= number <= 13:
            return number
    raise ValueError(f"year group {quoted(raw)} is not one of N, R, 1 to 13 (or “Year 3”)")


def upn_and_hash(raw: str) -> tuple[str, str]:
    upn = normalise_upn(raw)
    return upn, upn_lookup_hash(upn)


def contact_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValueError(f"is longer than {EMAIL_MAX_LENGTH} characters")
    try:
        _email_validator(email)
    except ValidationError:
        raise ValueError("is not a valid email address") from None
    return email
