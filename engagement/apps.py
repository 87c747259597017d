from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        # Records a parent's sign-in as engagement and notes them as active.
        from engagement import receivers  # noqa: F401
