"""A school's own export: its roster, parents' links, engagement and feedback, as
CSV files or one JSON file, in a ZIP, so that a school can take its data elsewhere
at any time.

The tables are the apps' (``privacy.registry.SchoolTable``, registered in their
``privacy.py``); each streams its rows from the database into the ZIP, which is
built in a temporary file, so memory stays bounded and the number of queries is
the same for ten pupils or two thousand. Anonymised pupils are not in the roster
or the parents' links; their engagement and ratings keep their counts with the
pupil left blank. Audited as ``school.export`` (format and row counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from privacy.archive import Archive
from privacy.registry import school_tables
from privacy.services.export import PORTAL_NAME, DataExport

CSV = "csv"
JSON = "json"
FORMATS = (CSV, JSON)


def _counted(rows: Iterable[tuple], counts: dict[str, int], name: str) -> Iterator[tuple]:
    counts[name] = 0
    for row in rows:
        counts[name] += 1
        yield row


def _readme(school, now) -> str:
    lines = [
        f"{school.name} (URN {school.urn}): the school's data from the {PORTAL_NAME},",
        f"made on {timezone.localtime(now):%Y-%m-%d at %H:%M} (UK time).",
        "",
        "Times are UK time. Ids (pupil_id, parent_id) are the portal's own and join the",
        "files together. Pupils whose data was anonymised are not in pupils or parents;",
        "their engagement and ratings are kept with the pupil left blank.",
        "In the CSV files, text starting with = + - or @ (a mobile number, say) has a ' put",
        "before it, so that a spreadsheet shows it rather than running it as a formula.",
        "",
    ]
    for table in school_tables():
        lines += [f"{table.name}: {table.description}", f"  columns: {', '.join(table.columns)}"]
    return "\n".join(lines) + "\n"


@transaction.atomic
def school_data_export(*, school, export_format: str, actor) -> DataExport:
    """The school's tables as ``pupils.csv``, ``parents.csv``, … (CSV) or as one
    ``school.json`` (JSON), with a README, in a ZIP."""
    if export_format not in FORMATS:
        raise ValueError(f"Unknown export format: {export_format!r}")
    now = timezone.now()
    counts: dict[str, int] = {}
    archive = Archive()
    try:
        archive.write_text("README.txt", _readme(school, now))
        if export_format == CSV:
            for table in school_tables():
                archive.write_csv(
                    f"{table.name}.csv",
                    header=table.columns,
                    rows=_counted(table.rows(school), counts, table.name),
                )
        else:
            header = {
                "portal": PORTAL_NAME,
                "generated_at": now,
                "school": {"id": school.pk, "name": school.name, "urn": school.urn},
                "tables": {table.name: table.description for table in school_tables()},
            }
            archive.write_json_tables(
                "school.json",
                header=header,
                tables=(
                    (
                        table.name,
                        (
                            dict(zip(table.columns, row, strict=True))
                            for row in _counted(table.rows(school), counts, table.name)
                        ),
                    )
                    for table in school_tables()
                ),
            )
        file = archive.finish()
    except BaseException:
        archive.discard()
        raise
    audit_record(
        actor=actor,
        action="school.export",
        subject=school,
        school=school,
        changes={"format": export_format, **counts},
    )
    filename = f"school-{school.urn}-data-{timezone.localdate(now)}-{export_format}.zip"
    return DataExport(file=file, filename=filename, counts=counts)
