from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the invitation status to its messages' delivery.
        from accounts import receivers  # noqa: F401
