"""The one way the portal writes CSV: spreadsheet-safe.

Names in a CSV come from a school's MIS or from families, so a text cell that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading ``'``, which spreadsheets show
as text. Numbers (``int``, ``float``, ``Decimal``), negative ones included, are
written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_safe(value) -> str | int | float | Decimal:
    """``value`` as a cell that a spreadsheet shows rather than runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_rows_safe(rows: Iterable[Iterable]) -> Iterable[list]:
    """Each row with every cell made safe."""
    for row in rows:
        yield [csv_cell_safe(cell) for cell in row]


def csv_write(stream, *, header: Iterable[str], rows: Iterable[Iterable]) -> None:
    """Write ``header`` and ``rows`` to ``stream`` as safe CSV (CRLF line ends)."""
    writer = csv.writer(stream)
    writer.writerows(csv_rows_safe([header]))
    writer.writerows(csv_rows_safe(rows))


def csv_text(*, header: Iterable[str], rows: Iterable[Iterable]) -> str:
    stream = io.StringIO()
    csv_write(stream, header=header, rows=rows)
    return stream.getvalue()
