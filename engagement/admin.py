"""The platform's engagement overview in the admin: totals across schools, no
names, for platform staff holding ``engagement.view_engagement_overview`` (the
Platform staff group does, through ``engagement/migrations``). It hangs on the
``Overview`` proxy model so the admin lists it; it has no list of rows."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from accounts import access
from accounts.admin_site import LookOnlyAdmin
from engagement.models import Overview
from engagement.selectors import platform_totals


@admin.register(Overview)
class OverviewAdmin(LookOnlyAdmin):
    may_view = staticmethod(access.can_view_engagement_overview)

    def get_urls(self):
        view = self.admin_site.admin_view(self.overview_view)
        return [
            path("", view, name="engagement_overview"),
            # The name the admin's index links a model by.
            path("", view, name="engagement_overview_changelist"),
        ]

    def overview_view(self, request):
        if not access.can_view_engagement_overview(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Engagement across schools",
            "opts": self.model._meta,
            "totals": platform_totals(),
        }
        return TemplateResponse(request, "admin/engagement/overview.html", context)
