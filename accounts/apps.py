from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import receivers

        receivers.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin on the portal's own site class (``accounts.admin_site``)."""

    default = False
    default_site = "accounts.admin_site.PortalAdminSite"
