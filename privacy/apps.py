from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy and personal data"

    def ready(self) -> None:
        # Each app declares its categories of personal data in its own privacy.py;
        # importing those modules registers them (privacy never imports their models).
        autodiscover_modules("privacy")
