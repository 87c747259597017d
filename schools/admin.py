"""Schools in the Django admin: platform staff onboard a school, keep its details,
and offboard it when it leaves.

Pupil data is deliberately not in the admin: platform staff see none without a
school's support grant. A school is never deleted here (Django's confirmation
would list every pupil and parent by name); schools leave through offboarding,
whose confirmation page first offers the school its export and shows counts only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import access
from accounts.admin_site import delete_refused
from accounts.models import Membership
from audit.selectors import audit_last_at
from learning.models import Topic
from schools.models import Guardianship, Pupil, School, SchoolClass
from schools.selectors import offboarding_preview
from schools.services import OnboardingError, school_offboard, school_onboard, school_update
from schools.services.onboarding import SCHOOL_DETAIL_FIELDS

# The audit action the school's data export records (privacy:school_export).
SCHOOL_EXPORT_ACTION = "school.export"


class SchoolOnboardForm(forms.Form):
    name = forms.CharField(label="School name", max_length=200)
    urn = forms.CharField(
        label="URN",
        max_length=8,
        validators=School._meta.get_field("urn").validators,
        help_text="The school's unique reference number: six to eight digits.",
    )
    kind = forms.ChoiceField(choices=School.Kind.choices, initial=School.Kind.SCHOOL)
    admin_first_name = forms.CharField(label="First name", max_length=150)
    admin_last_name = forms.CharField(label="Last name", max_length=150)
    admin_email = forms.EmailField(
        label="Email address",
        help_text="They are emailed a link to choose a password, then set up two-step sign-in.",
    )

    SCHOOL_FIELDS = ("name", "urn", "kind")
    ADMIN_FIELDS = ("admin_first_name", "admin_last_name", "admin_email")

    def clean_urn(self):
        urn = self.cleaned_data["urn"].strip()
        if School.objects.filter(urn=urn).exists():
            raise forms.ValidationError(f"A school with URN {urn} is already on the portal.")
        return urn

    def fieldsets(self):
        return [
            ("The school", [self[name] for name in self.SCHOOL_FIELDS]),
            ("Its first school admin", [self[name] for name in self.ADMIN_FIELDS]),
        ]


class SchoolOffboardForm(forms.Form):
    export_offered = forms.BooleanField(
        label="The school's admins have been offered the export of the school's data.",
        error_messages={
            "required": "Tick this once the school has been offered its export: after "
            "offboarding, its staff can no longer sign in to download it."
        },
    )


def _school_holds(school: School) -> list[tuple[str, int]]:
    return [
        ("pupils", Pupil.objects.filter(school=school).count()),
        (
            "links between parents and pupils",
            Guardianship.objects.filter(pupil__school=school).count(),
        ),
        ("classes", SchoolClass.objects.filter(school=school).count()),
        ("staff", Membership.objects.filter(school=school).count()),
        ("the school's own topics", Topic.objects.filter(school=school).count()),
    ]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "kind", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "urn"]
    fields = [*SCHOOL_DETAIL_FIELDS, "status", "moderate_feedback", "created_at"]
    # Offboarding (status) is a process of its own, and moderation is the school's choice.
    readonly_fields = ["status", "moderate_feedback", "created_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/offboard/",
                self.admin_site.admin_view(self.offboard_view),
                name="schools_school_offboard",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if access.can_offboard_school(request.user):
            extra_context["offboard_url"] = reverse(
                "admin:schools_school_offboard", args=[quote(object_id)]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def offboard_view(self, request, object_id):
        """Offboarding a school: the export is offered first, then what will happen
        (counts only), then a box to tick and the button."""
        if not access.can_offboard_school(request.user):
            raise PermissionDenied
        school = self.get_object(request, object_id)
        if school is None:
            raise Http404("No such school.")
        change_url = reverse("admin:schools_school_change", args=[quote(school.pk)])
        form = SchoolOffboardForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and school.status == School.Status.ACTIVE and form.is_valid():
            result = school_offboard(school=school, actor=request.user)
            self.log_change(request, school, [{"changed": {"fields": ["status"]}}])
            self.message_user(
                request,
                f"{school} has left the portal: {result.staff_closed} staff accounts closed "
                f"({result.staff_kept} kept for their other schools or children), "
                f"{result.pupils_removed} pupils removed, {result.parents_told} parents told, "
                f"{result.invitations_revoked} invitations revoked.",
                messages.SUCCESS,
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Offboard {school}",
            "opts": self.opts,
            "school": school,
            "form": form,
            "change_url": change_url,
            "preview": offboarding_preview(school=school),
            "last_export_at": audit_last_at(school=school, action=SCHOOL_EXPORT_ACTION),
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request, "admin/schools/school/offboard.html", context, status=status
        )

    def delete_view(self, request, object_id, extra_context=None):
        school = self.get_object(request, object_id)
        if school is None or not self.has_view_permission(request, school):
            return super().delete_view(request, object_id, extra_context)
        return delete_refused(
            request,
            self,
            school,
            reason=(
                "A school is not deleted in the admin. Schools leave the portal through "
                "offboarding, which takes care of their pupils' and parents' data."
            ),
            counts=_school_holds(school),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Onboarding: the school and its first admin, in one step."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SchoolOnboardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                school = school_onboard(actor=request.user, **form.cleaned_data)
            except OnboardingError as error:
                form.add_error(None, str(error))
            else:
                self.log_addition(request, school, [{"added": {}}])
                self.message_user(
                    request,
                    f"{school} is on the portal. Its first admin has been sent an email "
                    "with a link to choose a password.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:schools_school_change", args=[school.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Onboard a school",
            "opts": self.opts,
            "form": form,
            "fieldsets": form.fieldsets(),
        }
        return TemplateResponse(request, "admin/schools/school/onboard.html", context)

    def save_model(self, request, obj, form, change):
        # Only changes come here: adding is onboarding (add_view).
        school_update(
            school=obj,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in SCHOOL_DETAIL_FIELDS},
        )
