from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = "Invitations"

    def ready(self) -> None:
        # An invitation's status follows its messages' delivery.
        from invitations import receivers  # noqa: F401
