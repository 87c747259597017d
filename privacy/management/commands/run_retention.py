"""python manage.py run_retention [--dry-run] [--batch-size N]"""

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.selectors.retention import (
    CLOSURES,
    CONTACTS,
    DELETIONS,
    NOTICES,
    PUPILS,
    UPCOMING_DAYS,
)
from privacy.services.retention import BATCH_SIZE, retention_run

# step -> (what is done, kind of row)
STEPS = {
    NOTICES: ("closure notices (inactive 11 months)", "account"),
    CLOSURES: ("inactive accounts to close (12 months, noticed 30 days ago)", "account"),
    DELETIONS: ("closed accounts to delete (90-day hold ended)", "account"),
    PUPILS: ("pupils to anonymise (removed by the school, no open parent, 90 days)", "pupil"),
    CONTACTS: ("imported contacts to delete (never joined, no child left)", "account"),
}


def _ids(ids) -> str:
    return ", ".join(str(pk) for pk in ids)


def _rows(kind: str, number: int) -> str:
    return f"{number} {kind}{'' if number == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Run the daily retention task now: closure notices, closing inactive accounts, "
        "deleting closed accounts after their hold, anonymising pupils no one holds. "
        "With --dry-run, change nothing and list what is due now and in the next 30 days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list what would be done now and what comes due in the next 30 days; "
            "change nothing",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"default {BATCH_SIZE}"
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if dry_run:
            self._plan(retention_run(dry_run=True, batch_size=batch_size))
            return
        run = retention_run(batch_size=batch_size)
        for step, (label, _kind) in STEPS.items():
            counts = run.counts.get(step, {})
            failed = f", {counts['failed']} failed" if counts.get("failed") else ""
            self.stdout.write(f"{label}: {counts.get('done', 0)} done{failed}")
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"Retention run #{run.pk} took {seconds:.1f} s.")
        if run.error:
            raise CommandError(f"Retention run #{run.pk} ended with errors: {run.error}")

    def _plan(self, plan) -> None:
        local = timezone.localtime(plan.now)
        self.stdout.write(f"Dry run at {local:%Y-%m-%d %H:%M %Z}: nothing was changed. Ids only.\n")
        self.stdout.write("Due now:")
        for step, (label, kind) in STEPS.items():
            ids = plan.due[step]
            line = f"  {label}: {_rows(kind, len(ids))}"
            self.stdout.write(f"{line}: {_ids(ids)}" if ids else line)
        self.stdout.write(f"\nComing due in the next {UPCOMING_DAYS} days:")
        for step, (label, kind) in STEPS.items():
            rows = plan.upcoming[step]
            self.stdout.write(f"  {label}: {_rows(kind, len(rows))}")
            by_day = groupby(rows, key=lambda row: timezone.localtime(row[1]).date())
            for day, group in by_day:
                self.stdout.write(f"    {day:%Y-%m-%d}: {_ids(pk for pk, _ in group)}")
