"""Removing a member of a school's staff, after a confirmation step."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from schools import selectors
from schools.services import StaffRemovalError, staff_member_remove, staff_removal_check


@require_http_methods(["GET", "POST"])
def staff_remove(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    member = access.staff_member_of_school_or_404(request.user, school, user_id)
    removing_self = member.pk == request.user.pk
    error = staff_removal_check(school=school, member=member)
    if request.method == "POST" and not error:
        try:
            staff_member_remove(school=school, member=member, actor=request.user)
        except StaffRemovalError as refusal:
            error = str(refusal)
        else:
            if removing_self:
                messages.success(request, f"You are no longer on the staff of {school}.")
                return redirect("accounts:home")
            messages.success(request, f"{member.get_full_name()} is no longer on the staff.")
            return redirect("schools:school_overview", school_id=school.pk)
    return render(
        request,
        "schools/staff_remove.html",
        {
            "school": school,
            "member": member,
            "removing_self": removing_self,
            "error": error,
            "roles": selectors.staff_member_roles(school=school, member=member),
            "classes": selectors.classes_taught_at(school=school, teacher=member),
        },
    )
