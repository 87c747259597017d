"""The Django admin, signed into through the portal's own sign-in page.

Django's admin has a sign-in form of its own, without the portal's rate limits.
Here its login page hands over to allauth's (``LOGIN_URL``), and every admin page
sends a signed-out visitor straight there; staff then pass the second factor
(``accounts.middleware.StaffTwoFactorMiddleware``) before any admin page opens.
"""

from collections.abc import Callable

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, reverse

# Platform staff's permissions come from this group, which the data migration
# accounts/migrations/0006_platform_staff_group.py creates and keeps.
PLATFORM_STAFF_GROUP = "Platform staff"


def _sign_in_at_login_url(patterns) -> None:
    """Point each admin view's ``login_url`` (read by LoginRequiredMiddleware) at
    the portal's sign-in page instead of the admin's own."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _sign_in_at_login_url(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "login_url"):
            pattern.callback.login_url = settings.LOGIN_URL


class LookOnlyAdmin(admin.ModelAdmin):
    """An admin page staff may look at and act on only through its own views: who
    may see it is one checkpoint function (``may_view``, from ``accounts.access``);
    nothing is added, edited field by field or deleted here."""

    may_view: Callable[[object], bool]

    def has_module_permission(self, request) -> bool:
        return self.may_view(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_view(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PortalAdminSite(admin.AdminSite):
    site_header = "Home Learning Portal: platform admin"
    site_title = "Platform admin"

    def get_urls(self):
        urls = super().get_urls()
        _sign_in_at_login_url(urls)
        return urls

    def index(self, request, extra_context=None):
        """The front page, with the retention task's last run and an alarm when
        no run has completed for 36 hours (``privacy.selectors.retention_status``)."""
        from privacy.selectors import retention_status

        extra_context = {**(extra_context or {}), "retention": retention_status()}
        return super().index(request, extra_context)

    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)


def delete_refused(
    request, model_admin: admin.ModelAdmin, obj, *, reason: str, counts: list[tuple[str, int]]
) -> TemplateResponse:
    """The admin's answer to deleting something families' data depends on: what it
    holds, as counts only. Django's own confirmation would list each related row
    by its name, and those name pupils and parents."""
    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Cannot delete {opts.verbose_name}",
        "subtitle": str(obj),
        "object": obj,
        "opts": opts,
        "app_label": opts.app_label,
        "reason": reason,
        "counts": counts,
        "change_url": reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
        ),
    }
    status = 409 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/delete_refused.html", context, status=status)
