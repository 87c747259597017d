"""The breach register in the Django admin, for platform staff.

The list shows each incident's three deadlines and how long is left; an overdue
one says so in words ("OVERDUE by 5 hours"), not by its colour alone. An
incident's page shows the schools affected (their names, paged) and how many
people of each kind, never a family's name. Each step is a page of its own
(``privacy.admin.steps``). Nothing here deletes an incident.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import access
from privacy.admin.display import deadline_cell, when
from privacy.admin.steps import TEMPLATES, IncidentStepsMixin
from privacy.forms import IncidentRecordForm
from privacy.models import Incident
from privacy.registry import categories
from privacy.selectors import (
    incident_affected_counts,
    incident_affected_schools_page,
    incidents_for_register,
    incidents_overdue,
)
from privacy.services import IncidentError, incident_close_blockers, incident_record


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("overdue", "Open, with a step overdue"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "overdue":
            return incidents_overdue(incidents=queryset, now=timezone.now())
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(Incident)
class IncidentAdmin(IncidentStepsMixin, admin.ModelAdmin):
    list_display = [
        "incident",
        "ico_deadline",
        "schools_deadline",
        "retrospective_deadline",
    ]
    list_filter = [StateFilter]
    search_fields = ["title"]
    list_per_page = 50

    # --- Who may do what (accounts.access.incidents) ------------------------------

    def has_module_permission(self, request) -> bool:
        return access.can_view_incidents(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_view_incidents(request.user)

    def has_add_permission(self, request) -> bool:
        return access.can_record_incident(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return access.can_manage_incidents(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}

    # --- The list -------------------------------------------------------------------

    def get_queryset(self, request):
        return incidents_for_register()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Breach register", **(extra_context or {})}
        )

    @admin.display(description="Incident", ordering="found_at")
    def incident(self, incident):
        closed = f", closed {when(incident.closed_at)}" if incident.closed_at else ""
        return format_html(
            '#{} {}<br><span class="help">found {}{}</span>',
            incident.pk,
            incident.title,
            when(incident.found_at),
            closed,
        )

    @admin.display(description="ICO report (72 h)")
    def ico_deadline(self, incident):
        return deadline_cell(incident.deadlines()[0], timezone.now())

    @admin.display(description="Schools told (24 h)")
    def schools_deadline(self, incident):
        return deadline_cell(incident.deadlines()[1], timezone.now())

    @admin.display(description="Retrospective (7 days)")
    def retrospective_deadline(self, incident):
        return deadline_cell(incident.deadlines()[2], timezone.now())

    # --- Pages ----------------------------------------------------------------------

    def get_urls(self):
        steps = [
            ("edit", self.edit_view),
            ("scope", self.scope_view),
            ("report", self.report_view),
            ("notify-schools", self.notify_schools_view),
            ("notify-families", self.notify_families_view),
            ("retrospective", self.retrospective_view),
            ("close", self.close_view),
        ]
        return [
            path(
                f"<int:object_id>/{step}/",
                self.admin_site.admin_view(view),
                name=f"privacy_incident_{step.replace('-', '_')}",
            )
            for step, view in steps
        ] + super().get_urls()

    def _context(self, request, title: str, incident: Incident | None = None, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "incident": incident,
            "page_url": (
                reverse("admin:privacy_incident_change", args=[incident.pk]) if incident else ""
            ),
            **extra,
        }

    def _incident(self, request, object_id, *, manage: bool) -> Incident:
        allowed = (
            self.has_change_permission(request) if manage else self.has_view_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        return get_object_or_404(incidents_for_register(), pk=object_id)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IncidentRecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                incident = incident_record(actor=request.user, **form.cleaned_data)
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                self.log_addition(request, incident, "Recorded")
                self.message_user(
                    request,
                    f"{incident} is recorded. Next: set its scope to find who is affected.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:privacy_incident_change", args=[incident.pk]))
        context = self._context(
            request,
            "Record an incident",
            form=form,
            fieldsets=form.fieldsets(),
            submit="Record the incident",
            intro="Record it as soon as the portal is aware: the report to the ICO is due "
            "72 hours after, and affected schools should be told within 24 hours.",
        )
        return TemplateResponse(request, f"{TEMPLATES}/form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The incident's page: what happened, who is affected, each step and its deadline."""
        incident = self._incident(request, object_id, manage=False)
        now = timezone.now()
        names = {found.name: found.description for found in categories()}
        can_manage = self.has_change_permission(request) and incident.closed_at is None
        context = self._context(
            request,
            f"{incident}: {incident.title}",
            incident,
            deadlines=[
                (deadline, deadline.status(now), deadline.is_overdue(now))
                for deadline in incident.deadlines()
            ],
            data_affected=[names.get(name, name) for name in incident.data_categories],
            scope_schools=list(
                incident.scope_schools.order_by("name").values_list("name", flat=True)
            ),
            scope_classes=list(incident.scope_classes.select_related("school")),
            counts=incident_affected_counts(incident=incident),
            schools_page=incident_affected_schools_page(
                incident=incident, number=request.GET.get("page")
            ),
            can_manage=can_manage,
            close_blockers=incident_close_blockers(incident=incident) if can_manage else [],
        )
        return TemplateResponse(request, f"{TEMPLATES}/page.html", context)
