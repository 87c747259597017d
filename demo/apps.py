from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the portal and measuring it at scale: the seed_demo and
    demo_logins commands. No other app imports it; it holds no models."""

    name = "demo"
    verbose_name = "Demo data"
