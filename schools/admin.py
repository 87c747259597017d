"""Schools in the Django admin: platform staff onboard a school and keep its details.

Pupil data is deliberately not in the admin: platform staff see none without a
school's support grant. A school is never deleted here (Django's confirmation
would list every pupil and parent by name); schools leave through offboarding.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.admin_site import delete_refused
from accounts.models import Membership
from learning.models import Topic
from schools.models import Guardianship, Pupil, School, SchoolClass
from schools.services import OnboardingError, school_onboard, school_update
from schools.services.onboarding import SCHOOL_DETAIL_FIELDS


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
