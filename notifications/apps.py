from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Messages"

    def ready(self) -> None:
        from notifications import checks  # noqa: F401  (registers the system checks)
