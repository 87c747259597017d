from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and security activity"

    def ready(self) -> None:
        # Follows sign-ins, second factors and password changes into SecurityEvent.
        from audit import receivers  # noqa: F401
