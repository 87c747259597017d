"""A teacher's classes and the pupils in each."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import access
from schools import selectors

PUPILS_PER_PAGE = 50


def teacher_classes(request: HttpRequest) -> HttpResponse:
    classes = selectors.classes_for_teacher(teacher=request.user)
    return render(request, "schools/teacher_classes.html", {"classes": classes})


def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    school_class = access.class_or_404(request.user, class_id)
    pupils = selectors.pupils_of_class(user=request.user, school_class=school_class)
    return render(
        request,
        "schools/class_detail.html",
        {
            "school_class": school_class,
            "pupils": pupils,
            "show_pupil_premium": access.can_see_pupil_premium(request.user, school_class.school),
        },
    )
