"""python manage.py rebuild_engagement_summary [--school URN]"""

from django.core.management.base import BaseCommand, CommandError

from engagement.services import summary_rebuild
from schools.models import School


class Command(BaseCommand):
    help = (
        "Rebuild the engagement summary (which parents were active at which school on "
        "which day) from the recorded events, for one school or all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", metavar="URN", help="only this school")

    def handle(self, *args, school, **options):
        school_obj = None
        if school is not None:
            school_obj = School.objects.filter(urn=school.strip()).first()
            if school_obj is None:
                raise CommandError(f"No school has the URN {school!r}.")
        rows = summary_rebuild(school=school_obj)
        where = school_obj.name if school_obj else "every school"
        self.stdout.write(f"Engagement summary rebuilt for {where}: {rows} parent-days.")
