"""Writing an export's ZIP file with bounded memory.

The ZIP is built in an anonymous temporary file (deleted when closed, so a
download leaves nothing behind); stored files are copied into it in chunks and
tables are streamed into it row by row, so neither a family's photos nor a
school's events are ever held in memory at once.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import IO, Any

from django.utils import timezone

from engagement.csv import csv_write

COPY_CHUNK_BYTES = 256 * 1024
# Photos and videos are compressed already: stored as they are, not deflated again.
STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".mp4", ".webm", ".m4v", ".mov"}


class Archive:
    """A ZIP being written to a temporary file; ``finish`` returns the file, at its
    start, for the response to send and close (closing deletes it)."""

    def __init__(self) -> None:
        # Not a context manager: the file outlives this object, until it is sent.
        self.file: IO[bytes] = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115
        self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)

    def write_text(self, name: str, text: str) -> None:
        self.zip.writestr(name, text.encode("utf-8"))

    def copy_stored_file(self, name: str, storage, stored_name: str) -> bool:
        """Copy ``stored_name`` from ``storage`` into the ZIP as ``name``, in chunks;
        False (and nothing written) when the file is missing or cannot be read."""
        try:
            if not storage.exists(stored_name):
                return False
            source = storage.open(stored_name, "rb")
        except (OSError, ValueError):
            return False
        compression = (
            zipfile.ZIP_STORED
            if PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
            else zipfile.ZIP_DEFLATED
        )
        info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = compression
        with source, self.zip.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
        return True

    def write_csv(self, name: str, *, header: Iterable[str], rows: Iterable[Iterable]) -> None:
        """A spreadsheet-safe CSV (``engagement.csv``), streamed row by row."""
        with io.TextIOWrapper(self.zip.open(name, "w"), encoding="utf-8", newline="") as text:
            csv_write(text, header=header, rows=(map(csv_value, row) for row in rows))

    def write_json_tables(
        self, name: str, *, header: dict[str, Any], tables: Iterable[tuple[str, Iterator[dict]]]
    ) -> None:
        """One JSON object: ``header`` under "export", then one key per table whose
        rows (dicts) are written one at a time as they come."""
        with io.TextIOWrapper(self.zip.open(name, "w"), encoding="utf-8") as text:
            text.write('{\n"export": ' + json_dumps(header))
            for key, rows in tables:
                text.write(",\n" + json.dumps(key) + ": [")
                for index, row in enumerate(rows):
                    text.write(("\n" if index == 0 else ",\n") + json_dumps(row))
                text.write("\n]")
            text.write("\n}\n")

    def finish(self) -> IO[bytes]:
        self.zip.close()
        self.file.seek(0)
        return self.file

    def discard(self) -> None:
        self.zip.close()
        self.file.close()


def stored_file_path(folder: str, stored_name: str) -> str:
    """Where a stored file goes in the ZIP: under ``folder``, by its stored name,
    with no absolute or parent parts."""
    parts = [part for part in PurePosixPath(stored_name).parts if part not in ("/", "..", ".")]
    return str(PurePosixPath(folder, *parts))


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_dumps(value, **options) -> str:
    """JSON text; datetimes in local time (ISO 8601, with their offset), dates as ISO."""
    return json.dumps(value, default=_plain, ensure_ascii=False, **options)


def csv_value(value):
    """A cell before ``engagement.csv`` makes it safe: times in local time, to the second."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value
