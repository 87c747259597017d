"""One pupil's page for staff, and a school admin's confirmed changes to the pupil:
removing a parent's link, marking the pupil as left."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from schools import selectors
from schools.services import PupilChangeError, guardianship_end, pupil_mark_left


@require_GET
def pupil_detail(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    pupil = access.pupil_of_school_for_staff_or_404(request.user, school_id, pupil_id)
    school = pupil.school
    return render(
        request,
        "schools/pupil_detail.html",
        {
            "school": school,
            "pupil": pupil,
            "parents": selectors.parents_of_pupil(pupil=pupil),
            "show_pupil_premium": access.can_see_pupil_premium(request.user, school),
            "show_contacts": access.can_see_parent_contacts(request.user, school),
            "can_manage": access.can_manage_pupil(request.user, pupil),
            "can_export": access.can_export_school_data(request.user, school),
        },
    )


def _managed_pupil(request: HttpRequest, school_id: int, pupil_id: int):
    """The pupil, if the user is one of the school's admins; a teacher is refused (403)."""
    pupil = access.pupil_of_school_for_staff_or_404(request.user, school_id, pupil_id)
    if not access.can_manage_pupil(request.user, pupil):
        access.forbid("Only the school's admins change a pupil's links.")
    return pupil


@require_http_methods(["GET", "POST"])
def guardianship_remove(
    request: HttpRequest, school_id: int, pupil_id: int, guardianship_id: int
) -> HttpResponse:
    """Confirm, then remove a parent's link to the pupil (works without JavaScript)."""
    pupil = _managed_pupil(request, school_id, pupil_id)
    guardianship = access.guardianship_of_pupil_or_404(request.user, pupil, guardianship_id)
    if request.method == "POST":
        try:
            guardianship_end(guardianship=guardianship, actor=request.user)
        except PupilChangeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{guardianship.parent.get_full_name()} is no longer linked to {pupil.first_name}.",
            )
        return redirect("schools:pupil_detail", school_id=pupil.school_id, pupil_id=pupil.pk)
    return render(
        request,
        "schools/guardianship_remove.html",
        {"school": pupil.school, "pupil": pupil, "guardianship": guardianship},
    )


@require_http_methods(["GET", "POST"])
def pupil_leave(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    """Confirm, then mark the pupil as having left the school."""
    pupil = _managed_pupil(request, school_id, pupil_id)
    if request.method == "POST":
        try:
            pupil_mark_left(pupil=pupil, actor=request.user)
        except PupilChangeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{pupil.full_name} is marked as having left: staff no longer see them, "
                "and their parents keep their child's space.",
            )
            return redirect("schools:school_pupils", school_id=pupil.school_id)
        return redirect("schools:pupil_detail", school_id=pupil.school_id, pupil_id=pupil.pk)
    if not pupil.on_roll:
        messages.info(request, f"{pupil.full_name} is already marked as having left.")
        return redirect("schools:pupil_detail", school_id=pupil.school_id, pupil_id=pupil.pk)
    return render(request, "schools/pupil_leave.html", {"school": pupil.school, "pupil": pupil})
