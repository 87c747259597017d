"""python manage.py create_platform_staff EMAIL [--first-name NAME] [--last-name NAME]"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import StaffError, platform_staff_invite


class Command(BaseCommand):
    help = (
        "Invite a platform staff account by email: it gets a link to choose its "
        "password, then enrols an authenticator app at its first sign-in. "
        "An address that already has an account is refused; nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", metavar="EMAIL")
        parser.add_argument("--first-name", default="", help="shown in the email's greeting")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email: str, first_name: str, last_name: str, **options):
        try:
            # The email is handed to the workers once this commits.
            with transaction.atomic():
                user = platform_staff_invite(
                    email=email, first_name=first_name, last_name=last_name, actor=None
                )
        except StaffError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Invited {user.email} as platform staff: a link to choose a password is on its "
            "way by email (if it does not arrive, check EMAIL_URL and the worker's log). "
            "At their first sign-in they set up two-step sign-in with an authenticator app."
        )
