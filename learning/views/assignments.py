"""Setting work: a teacher sets a topic for their classes, follows how each family
is getting on, and changes or withdraws work that has not started yet.

Only staff see these pages: a teacher the work set for the classes they teach,
a school admin the work set for any class of their school. Anything else,
another school's included, is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from accounts import access
from learning import selectors, services
from learning.forms.assignments import AssignmentCreateForm, AssignmentDatesForm

ASSIGNMENTS_PER_PAGE = 25


@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Set this topic: one assignment per class ticked, all or none."""
    topic = access.topic_for_staff_or_404(request.user, topic_id)
    classes = list(selectors.classes_for_assignment(user=request.user, topic=topic))
    form = None
    if topic.published and classes:
        form = AssignmentCreateForm(request.POST or None, classes=classes)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            assignments = services.assignments_create(
                topic=topic, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(assignment.school_class.name for assignment in assignments)
            starts = assignments[0].starts_on
            when = (
                "today"
                if starts <= services.school_today()
                else f"on {date_format(starts, 'l j F')}"
            )
            messages.success(request, f"“{topic.title}” set for {names}. Families are told {when}.")
            if len(assignments) == 1:
                return redirect("learning:assignment_detail", assignment_id=assignments[0].pk)
            return redirect("learning:assignment_list")
    return render(
        request,
        "learning/assignments/set.html",
        {"topic": topic, "form": form, "has_classes": bool(classes)},
    )


def assignment_list(request: HttpRequest) -> HttpResponse:
    access.school_staff_or_404(request.user)
    assignments = selectors.assignments_for_staff(user=request.user)
    page = Paginator(assignments, ASSIGNMENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.assignments_count_families(list(page.object_list))
    return render(
        request, "learning/assignments/list.html", {"page": page, "today": services.school_today()}
    )


def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_or_404(
        request.user, assignment_id, within=selectors.assignments_with_topic_size()
    )
    status = request.GET.get("status", "")
    if status not in selectors.FamilyStatus.LABELS:
        status = ""
    families = selectors.assignment_families(assignment=assignment, status=status)
    counts = selectors.assignment_family_counts(assignment=assignment)
    statuses = [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in selectors.FamilyStatus.LABELS.items()
    ]
    return render(
        request,
        "learning/assignments/detail.html",
        {
            "assignment": assignment,
            "families": families,
            "statuses": statuses,
            "status": status,
            "status_label": selectors.FamilyStatus.LABELS.get(status, ""),
            "family_total": sum(counts.values()),
            "started": services.assignment_has_started(assignment),
        },
    )


@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_or_404(request.user, assignment_id)
    if services.assignment_has_started(assignment):
        messages.error(request, "This work has started, so its dates and message stay as they are.")
        return redirect("learning:assignment_detail", assignment_id=assignment.pk)
    form = AssignmentDatesForm(
        request.POST or None,
        initial={
            "starts_on": assignment.starts_on,
            "due_on": assignment.due_on,
            "message": assignment.message,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(
                assignment=assignment, actor=request.user, **form.cleaned_data
            )
        except services.AssignmentStartedError as error:
            messages.error(request, str(error))
            return redirect("learning:assignment_detail", assignment_id=assignment.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("learning:assignment_detail", assignment_id=assignment.pk)
    return render(
        request, "learning/assignments/edit.html", {"assignment": assignment, "form": form}
    )


@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_or_404(request.user, assignment_id)
    if request.method == "POST":
        try:
            services.assignment_delete(assignment=assignment, actor=request.user)
        except services.AssignmentStartedError as error:
            messages.error(request, str(error))
            return redirect("learning:assignment_detail", assignment_id=assignment.pk)
        messages.success(
            request, f"“{assignment.topic.title}” withdrawn from {assignment.school_class.name}."
        )
        return redirect("learning:assignment_list")
    if services.assignment_has_started(assignment):
        messages.error(request, "This work has started, so it can no longer be withdrawn.")
        return redirect("learning:assignment_detail", assignment_id=assignment.pk)
    return render(request, "learning/assignments/confirm_delete.html", {"assignment": assignment})
