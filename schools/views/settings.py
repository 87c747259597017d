"""A school's settings, for its admins, and the Help page that shows parents the
school's contact details."""

import copy

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from schools import selectors
from schools.forms import SchoolSettingsForm
from schools.services import school_settings_update


@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.school_settings_or_refuse(request.user, school_id)
    # The form edits a copy: a refused submission leaves the page's school as saved.
    form = SchoolSettingsForm(
        request.POST if request.method == "POST" else None, instance=copy.copy(school)
    )
    if request.method == "POST" and form.is_valid():
        changed = school_settings_update(school=school, actor=request.user, **form.cleaned_data)
        messages.success(request, "Settings saved." if changed else "No changes to save.")
        return redirect("schools:school_overview", school_id=school.pk)
    return render(request, "schools/school_settings.html", {"school": school, "form": form})


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "schools/help.html",
        {
            "schools": selectors.schools_for_help(user=request.user),
            "is_parent": access.is_parent(request.user),
            "is_staff_member": access.is_school_staff(request.user),
        },
    )
