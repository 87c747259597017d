from django.core.management.base import BaseCommand

from privacy.registry import categories


class Command(BaseCommand):
    help = "List the registered categories of personal data and the models each covers."

    def handle(self, *args, **options) -> None:
        for found in categories():
            app = type(found).__module__.split(".")[0]
            self.stdout.write(f"{found.name} ({app}; subjects: {', '.join(found.subjects)})")
            if found.description:
                self.stdout.write(f"  {found.description}")
            for label in found.models:
                self.stdout.write(f"  - {label}")
