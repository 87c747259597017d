from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project's own wiring; registers the deploy checks (``portal.checks``)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import checks  # noqa: F401  (registers the checks)
