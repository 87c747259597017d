"""python manage.py import_roster --school URN FILE [--dry-run] [--remove-missing]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.models import School
from schools.offboarded import SchoolOffboardedError
from schools.roster.parsing import RosterFileError
from schools.roster.planning import RosterResult
from schools.services import roster_apply, roster_check

# (summary key, label for a dry run, label once applied)
SUMMARY_LINES = [
    ("rows", "rows read", "rows read"),
    ("pupils_create", "pupils to create", "pupils created"),
    ("pupils_update", "pupils to update", "pupils updated"),
    ("pupils_unchanged", "pupils unchanged", "pupils unchanged"),
    ("pupils_remove", "pupils to remove", "pupils removed"),
    ("classes_create", "classes to create", "classes created"),
    ("parents_create", "parents to create", "parents created"),
    ("parents_existing", "existing accounts to link", "existing accounts linked"),
    ("links_create", "parent links to create", "parent links created"),
    ("links_update", "parent links to update", "parent links updated"),
    ("warnings", "warnings", "warnings"),
    ("errors", "rows with errors (skipped)", "rows with errors (skipped)"),
]


class Command(BaseCommand):
    help = (
        "Import a school's roster CSV (the same importer as the upload page). "
        "Rows with errors are reported and skipped; the rest apply in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN", help="the school's URN")
        parser.add_argument("file", metavar="FILE", help="the roster CSV file")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; change nothing"
        )
        parser.add_argument(
            "--remove-missing",
            action="store_true",
            help="mark pupils on roll who are not in the file as removed by the school",
        )

    def handle(self, *args, school: str, file: str, dry_run: bool, remove_missing: bool, **opts):
        school_obj = School.objects.filter(urn=school.strip()).first()
        if school_obj is None:
            raise CommandError(f"No school has the URN {school!r}.")
        try:
            content = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            if dry_run:
                result = roster_check(
                    school=school_obj, content=content, remove_missing=remove_missing
                )
            else:
                result = roster_apply(
                    school=school_obj, content=content, remove_missing=remove_missing, actor=None
                )
        except RosterFileError as error:
            raise CommandError(f"{file}: {error}") from None
        except SchoolOffboardedError as error:
            raise CommandError(str(error)) from None
        self._report(school_obj, result, dry_run=dry_run)

    def _report(self, school: School, result: RosterResult, *, dry_run: bool) -> None:
        heading = "Dry run, nothing changed" if dry_run else "Imported"
        self.stdout.write(f"{heading}: roster for {school.name} (URN {school.urn})")
        for key, dry_label, applied_label in SUMMARY_LINES:
            label = dry_label if dry_run else applied_label
            self.stdout.write(f"  {label}: {result.summary[key]}")
        if result.ignored_columns:
            self.stdout.write("  columns ignored: " + ", ".join(result.ignored_columns))
        for issue in result.warnings:
            self.stdout.write(self.style.WARNING(f"  warning, line {issue.line}: {issue.message}"))
        for issue in result.errors:
            self.stdout.write(self.style.ERROR(f"  error, line {issue.line}: {issue.message}"))
