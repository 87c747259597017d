"""Every school's privacy requests, and those of no school, for platform staff.

Platform staff follow the queue and take the same steps as a school's admins
(start, close as done, refuse), each through ``privacy.services`` and audited.
They see ids, kinds, schools, dates and status only: never who a request is about
by name, nor what was asked or answered (the person's words and the school's
outcome may name a family). Nothing is added, edited field by field or deleted
here: a request leaves only through erasure, which redacts it.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import access
from accounts.admin_site import LookOnlyAdmin
from privacy.forms.requests import TEXT_MAX_LENGTH
from privacy.models import NEARLY_DUE_DAYS, OPEN_STATUSES, PrivacyRequest
from privacy.selectors import urgent_first_ordering
from privacy.services import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_refuse,
    privacy_request_start,
)

URGENCY_LABELS = {
    "overdue": "OVERDUE",
    "nearly_due": "Nearly due",
}


class UrgencyFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("nearly_due", f"Nearly due (within {NEARLY_DUE_DAYS} days)"),
            ("open", "Open"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        is_open = Q(status__in=OPEN_STATUSES)
        if self.value() == "overdue":
            return queryset.filter(is_open, due_at__lt=now)
        if self.value() == "nearly_due":
            return queryset.filter(
                is_open, due_at__gte=now, due_at__lte=now + timedelta(days=NEARLY_DUE_DAYS)
            )
        if self.value() == "open":
            return queryset.filter(is_open)
        return queryset


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="What was done",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ids and dates, no names: the school's admins and the person read it too.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is refused",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The person must be told this reason, and that they may complain to the ICO.",
    )


# Each step: its title, its button, the form it needs (if any) and what it calls.
STEPS = {
    "start": {
        "title": "Mark request #{pk} as in progress?",
        "button": "Mark as in progress",
        "explain": "Others following the queue see that someone is working on it.",
        "form": None,
        "done": "The request is marked as in progress.",
    },
    "close": {
        "title": "Close request #{pk} as done?",
        "button": "Close the request as done",
        "explain": "Once closed, the request cannot be changed or reopened.",
        "form": OutcomeForm,
        "done": "The request is closed as done.",
    },
    "refuse": {
        "title": "Refuse request #{pk}?",
        "button": "Refuse the request",
        "explain": "It is closed as refused and cannot be changed or reopened. "
        "Nothing is done to the person's data.",
        "form": ReasonForm,
        "done": "The request is closed as refused.",
    },
}


def _take_step(step: str, privacy_request: PrivacyRequest, actor, data: dict) -> None:
    if step == "start":
        privacy_request_start(privacy_request=privacy_request, actor=actor)
    elif step == "close":
        privacy_request_close(privacy_request=privacy_request, actor=actor, outcome=data["outcome"])
    else:
        privacy_request_refuse(privacy_request=privacy_request, actor=actor, reason=data["reason"])


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(LookOnlyAdmin):
    # What matters first, so it shows without scrolling on a narrow screen.
    list_display = [
        "number",
        "urgency",
        "due_on",
        "status",
        "kind",
        "school",
        "received_on",
        "closed_on",
    ]
    list_display_links = ["number"]
    list_filter = [UrgencyFilter, "status", "kind", "school"]
    list_select_related = ["school"]
    show_full_result_count = False
    # Open first, by due date (overdue, then nearly due, lead); then the latest closed.
    ordering = urgent_first_ordering()
    fields = [
        "number",
        "kind",
        "status",
        "school",
        "received_at",
        "due_at",
        "urgency",
        "closed_at",
        "person_id",
        "pupil_id",
        "asked_by_id",
        "redacted_at",
    ]
    readonly_fields = fields
    change_form_template = "admin/privacy/privacyrequest/change_form.html"

    # --- Who may do what -------------------------------------------------------------

    may_view = staticmethod(access.can_view_platform_privacy_requests)

    # --- Columns ---------------------------------------------------------------------

    @admin.display(description="request", ordering="pk")
    def number(self, privacy_request: PrivacyRequest) -> str:
        return f"#{privacy_request.pk}"

    @admin.display(description="received", ordering="received_at")
    def received_on(self, privacy_request: PrivacyRequest):
        return timezone.localdate(privacy_request.received_at)

    @admin.display(description="due", ordering="due_at")
    def due_on(self, privacy_request: PrivacyRequest):
        return timezone.localdate(privacy_request.due_at)

    @admin.display(description="closed", ordering="closed_at")
    def closed_on(self, privacy_request: PrivacyRequest):
        if privacy_request.closed_at is None:
            return None
        return timezone.localdate(privacy_request.closed_at)

    @admin.display(description="urgency")
    def urgency(self, privacy_request: PrivacyRequest) -> str:
        urgency = privacy_request.urgency
        if urgency == "closed":
            return "—"
        if urgency == "overdue":
            days = privacy_request.days_late
            text = "was due today" if days < 1 else f"{days} day{'s' * (days != 1)} late"
        else:
            days = privacy_request.days_left
            text = "due today" if days < 1 else f"{days} day{'s' * (days != 1)} left"
        if urgency == "on_time":
            return text
        return format_html(
            '<strong class="urgency urgency-{}">{}</strong> {}',
            urgency.replace("_", "-"),
            URGENCY_LABELS[urgency],
            text,
        )

    # Who, by id only (a name or email here would show platform staff a family).
    @admin.display(description="about (user id)")
    def person_id(self, privacy_request: PrivacyRequest):
        return privacy_request.subject_user_id

    @admin.display(description="about (pupil id)")
    def pupil_id(self, privacy_request: PrivacyRequest):
        return privacy_request.subject_pupil_id

    @admin.display(description="asked by (user id)")
    def asked_by_id(self, privacy_request: PrivacyRequest):
        return privacy_request.requester_id

    # --- Steps -----------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.step_view)
        steps = [
            path(
                f"<path:object_id>/{step}/",
                view,
                {"step": step},
                name=f"privacy_privacyrequest_{step}",
            )
            for step in STEPS
        ]
        return [*steps, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        can_act = access.can_handle_platform_privacy_requests(request.user)
        extra_context = {**(extra_context or {}), "can_take_steps": can_act}
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, object_id, step):
        """Confirm a step (with its form, when it needs one), then take it."""
        if step not in STEPS or not access.can_handle_platform_privacy_requests(request.user):
            raise PermissionDenied
        privacy_request = self.get_object(request, object_id)
        if privacy_request is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:privacy_privacyrequest_change", args=[privacy_request.pk])
        if not privacy_request.is_open:
            self.message_user(
                request, "This request is closed and cannot be changed.", messages.WARNING
            )
            return redirect(change_url)
        details = STEPS[step]
        form_class = details["form"]
        form = form_class(request.POST or None) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                _take_step(step, privacy_request, request.user, form.cleaned_data if form else {})
            except PrivacyRequestError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, details["done"], messages.SUCCESS)
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": details["title"].format(pk=privacy_request.pk),
            "opts": self.opts,
            "original": privacy_request,
            "change_url": change_url,
            "explain": details["explain"],
            "button": details["button"],
            "form": form,
        }
        return TemplateResponse(request, "admin/privacy/privacyrequest/step.html", context)
