"""How the portal writes people's names: one place for every page and message.

- ``full_name``: "First Last", either part may be missing.
- ``names_joined``: children's first names as a sentence says them
  ("Amir", "Amir and Bea", "Amir, Bea and Cal"), or a fallback when there are none.
- ``ascii_only``: the plainest spelling of a text (accents dropped, curly quotes and
  dashes written plainly), for an SMS that must fit its segments (GSM 03.38 cannot
  carry most accented letters).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from notifications.sms import plain_punctuation

CHILD_FALLBACK = "your child"


def full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def names_joined(first_names: Iterable[str], *, fallback: str = CHILD_FALLBACK) -> str:
    names = [name for name in first_names if name] or [fallback]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def ascii_only(text: str) -> str:
    plain = plain_punctuation(text)
    return unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
