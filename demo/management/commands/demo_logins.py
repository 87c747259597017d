"""Print the demo logins made by ``seed_demo``, with the staff second-factor secrets,
the steps to try an invitation through the development outbox page, and those to
try home learning.

    python manage.py demo_logins [--force]

It prints passwords, authenticator keys and backup codes, so it runs only with
DEBUG on (demo databases), unless --force is given.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_CHILDREN, DEMO_PASSWORD, demo_logins_read
from demo.learning import DEMO_ASSIGNMENT_TOPIC


class Command(BaseCommand):
    help = "Print the demo logins and the staff accounts' second-factor secrets (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Print even when DEBUG is off (the output contains secrets).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "demo_logins prints passwords and second-factor secrets, so it runs only "
                "with DEBUG on. Use --force if you really mean it."
            )
        logins = demo_logins_read()
        if not logins:
            raise CommandError("There are no demo accounts. Run `python manage.py seed_demo`.")

        site_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
        write = self.stdout.write
        rule = "=" * 72
        write(rule)
        write(self.style.SUCCESS(f"Demo portal: {site_url}"))
        write(f"Every demo account's password: {DEMO_PASSWORD}   (demo data only)")
        write(rule)
        for login in logins:
            account = login.account
            write("")
            write(self.style.MIGRATE_HEADING(f"{account.role}: {account.email}"))
            write(f"  Name:      {account.first_name} {account.last_name}")
            write(f"  Password:  {DEMO_PASSWORD}")
            if login.school_names:
                write(f"  Schools:   {', '.join(login.school_names)}")
            if not account.needs_second_factor:
                write("  Second factor: none (parents sign in with a password)")
                continue
            if not login.totp_key_base32:
                write("  Second factor: no authenticator yet; you will be asked to set one up.")
                continue
            write(f"  Authenticator key (base32): {login.totp_key_base32}")
            write(f"  Authenticator URL: {login.otpauth_url}")
            write(
                f"  Code right now:    {login.current_code} "
                f"(changes in {login.seconds_left} s; use your app after that)"
            )
            if login.backup_codes:
                write(f"  Backup codes (each works once): {' '.join(login.backup_codes)}")
            else:
                write("  Backup codes: all used; run seed_demo again for a fresh set.")
        write("")
        write(rule)
        self._write_invitation_steps(site_url)
        write(rule)
        self._write_home_learning_steps()
        write(rule)

    def _write_invitation_steps(self, site_url: str) -> None:
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING("Try an invitation"))
        write(
            f"  1. Sign in at {site_url}/accounts/login/ as the school admin; for the code, "
            "type the code above or one of its backup codes."
        )
        write("  2. Choose 'Invite parents', pick a class and press 'Invite this class'.")
        write(
            f"  3. Open the outbox, {site_url}/outbox/, in a private window (a staff "
            "account cannot accept). It lists every email and text message the portal "
            "wrote; follow an invitation link."
        )
        write(
            "  4. Create the parent's account: choose a password, tick the privacy box "
            "(the other choices are optional) and join. The child is on 'My children'."
        )
        if not settings.DEBUG:
            write("  The outbox page exists only with DEBUG on.")

    def _write_home_learning_steps(self) -> None:
        write = self.stdout.write
        child = DEMO_CHILDREN[0][0]
        write(self.style.MIGRATE_HEADING("Try home learning"))
        write(
            f"  1. Sign in as the parent and open {child}'s space: "
            f"'{DEMO_ASSIGNMENT_TOPIC.title}' is set. Press 'We did this' on an activity, "
            f"rate it, comment and add a photo; {child}'s first award appears in the space."
        )
        write(
            "  2. Sign in as the teacher, open 'Work set' and the topic: the family shows "
            "as started or completed, and 'Ratings, comments and photos' shows what they shared."
        )
        write(
            "  3. As the teacher, set another topic from 'Topics' starting today: the message "
            "to families appears in the outbox."
        )
