"""A school admin's pages of their school: the overview, the pupils on roll, and
choosing who teaches each class."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from schools import selectors
from schools.forms import ClassTeachersForm, PupilSearchForm
from schools.services import ClassTeachersError, class_teachers_set

PUPILS_PER_PAGE = 50


def school_overview(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    return render(
        request,
        "schools/school_overview.html",
        {
            "school": school,
            "totals": selectors.school_totals(school=school),
            "classes": selectors.classes_for_admin(school=school),
            "staff": selectors.staff_for_admin(school=school),
        },
    )


def school_pupils(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    search_form = PupilSearchForm(request.GET)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    pupils = selectors.pupils_for_admin(admin=request.user, school=school, search=search)
    page = Paginator(pupils, PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/school_pupils.html",
        {"school": school, "page": page, "search_form": search_form, "search": search},
    )


@require_http_methods(["GET", "POST"])
def class_teachers(request: HttpRequest, school_id: int, class_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    school_class = access.class_of_school_or_404(request.user, school, class_id)
    form = ClassTeachersForm(
        # A POST with no box ticked is empty but still a submission: no teachers.
        request.POST if request.method == "POST" else None,
        teachers=selectors.teachers_of_school(school=school),
        initial={"teachers": list(school_class.teachers.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            class_teachers_set(
                school_class=school_class,
                teachers=form.cleaned_data["teachers"],
                actor=request.user,
            )
        except ClassTeachersError as error:
            form.add_error("teachers", str(error))
        else:
            messages.success(request, f"Teachers of {school_class} updated.")
            return redirect("schools:school_overview", school_id=school.pk)
    return render(
        request,
        "schools/class_teachers.html",
        {"school": school, "school_class": school_class, "form": form},
    )
