"""Fill the database with realistic demo schools, pupils and parents, and a few
home-learning topics, one of them set for the demo parent's child's class; with
``--events-per-pupil``, a year of families' engagement (``demo.events``).

    python manage.py seed_demo [--schools N] [--pupils-per-school N]
                               [--events-per-pupil N] [--seed N]

Repeatable: the same seed gives the same data, and running it again replaces
the demo schools (URNs 990000-999999) rather than adding to them. Schools
outside that range are never touched. Refused in production, because the demo
accounts have a published password.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_PASSWORD
from demo.seeding import demo_data_seed


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Command(BaseCommand):
    help = "Replace the demo schools with realistic demo data generated from a seed."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=2, help="Demo schools (default 2).")
        parser.add_argument(
            "--pupils-per-school", type=int, default=60, help="Pupils per school (default 60)."
        )
        parser.add_argument(
            "--events-per-pupil",
            type=int,
            default=0,
            help="Engagement events per pupil over the past year, about (default 0: "
            "no engagement, and no parent but the demo parent has joined).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "seed_demo creates accounts with a published password and never runs in "
                "production (PORTAL_ENV=production)."
            )
        started = time.monotonic()
        try:
            summary = demo_data_seed(
                schools=options["schools"],
                pupils_per_school=options["pupils_per_school"],
                seed=options["seed"],
                events_per_pupil=options["events_per_pupil"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started

        write = self.stdout.write
        for school in summary.schools:
            write(
                f"  {school.name} (URN {school.urn}): {school.classes} classes, "
                f"{school.pupils} pupils, {school.pupil_premium} Pupil Premium"
            )
        write(
            self.style.SUCCESS(
                f"Seeded {_plural(len(summary.schools), 'demo school')} (seed {summary.seed}): "
                f"{summary.pupils} pupils, {summary.parents} parents and carers, "
                f"{summary.guardianships} pupil-contact links in {elapsed:.1f} s."
            )
        )
        write(
            f"Home learning: {_plural(summary.topics, 'library topic')}; "
            f"{summary.assignment}, started already, is in the demo parent's child's space."
        )
        if summary.removed_schools:
            write(f"Removed {_plural(summary.removed_schools, 'demo school')} of an earlier run.")
        if summary.events:
            write(
                f"Engagement over the past year: {summary.joined_parents} parents joined, "
                f"{summary.events} events."
            )
        write(
            f"Demo accounts share the password {DEMO_PASSWORD!r} (demo data only). "
            "Run `python manage.py demo_logins` for the logins and second-factor codes."
        )
