"""python manage.py pp_report --school URN --from YYYY-MM-DD --to YYYY-MM-DD
[--class NAME] [--year-group N]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from engagement.csv import csv_write
from engagement.selectors import CSV_HEADER, Period, class_named, pp_report
from schools.models import School, YearGroup


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2025-09-01.") from None


class Command(BaseCommand):
    help = (
        "Write a school's Pupil Premium engagement report as CSV to standard output, "
        "for the local dates [from, to). Groups of fewer than 5 pupils are written "
        "'fewer than 5'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN", help="the school's URN")
        parser.add_argument("--from", required=True, dest="start", metavar="YYYY-MM-DD")
        parser.add_argument(
            "--to", required=True, dest="end", metavar="YYYY-MM-DD", help="the day after the last"
        )
        parser.add_argument("--class", dest="class_name", metavar="NAME", help="one class")
        parser.add_argument("--year-group", type=int, metavar="N", help="one year group (0 = R)")

    def handle(self, *args, school, start, end, class_name, year_group, **options):
        school_obj = School.objects.filter(urn=school.strip()).first()
        if school_obj is None:
            raise CommandError(f"No school has the URN {school!r}.")
        start_day, end_day = _date(start), _date(end)
        if start_day >= end_day:
            raise CommandError("--from must be before --to (the period is [from, to)).")
        if year_group is not None and year_group not in YearGroup.values:
            raise CommandError("--year-group is a year from -1 (nursery) or 0 (reception) to 13.")
        school_class = None
        if class_name is not None:
            school_class = class_named(school=school_obj, name=class_name)
            if school_class is None:
                raise CommandError(f"{school_obj.name} has no class called {class_name!r}.")
        report = pp_report(
            school=school_obj,
            period=Period(start_day, end_day),
            school_class=school_class,
            year_group=year_group,
            suppress=True,
        )
        csv_write(self.stdout, header=CSV_HEADER, rows=report.cells())
