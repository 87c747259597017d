"""A teacher's engagement dashboard and nudges, and a school admin's dashboard."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import access
from engagement import selectors
from engagement.forms import NotEngagedFilterForm, NudgeForm
from engagement.paging import CountingPaginator
from engagement.services import NudgeError, nudges_send

PUPILS_PER_PAGE = 50
PARENTS_PER_PAGE = 25


def _dashboard_url(class_id: int, assignment_id: int | None = None) -> str:
    query = {"class": class_id}
    if assignment_id:
        query["assignment"] = assignment_id
    return f"{reverse('engagement:teacher_dashboard')}?{urlencode(query)}"


def teacher_dashboard(request: HttpRequest) -> HttpResponse:
    access.school_staff_or_404(request.user)
    classes = list(
        access.engagement_classes_of(request.user).order_by("school__name", "year_group", "name")
    )
    if not classes:
        schools = list(access.schools_administered_by(request.user).order_by("name"))
        return render(request, "engagement/teacher_dashboard.html", {"schools": schools})
    class_id = request.GET.get("class", "")
    chosen = (
        access.engagement_class_or_404(request.user, class_id) if class_id.isdigit() else classes[0]
    )
    open_work = selectors.open_assignments(school_class=chosen)
    form = NotEngagedFilterForm(request.GET, assignments=open_work)
    cleaned = form.cleaned_data if form.is_valid() else {}
    show = cleaned.get("show", "")
    assignment = next(
        (work for work in open_work if work.pk == cleaned.get("assignment")),
        open_work[0] if open_work else None,
    )
    pupils = selectors.pupils_by_engagement(
        user=request.user, school_class=chosen, not_since=show, assignment=assignment
    )
    page = Paginator(pupils, PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    nudge_form = _nudge_sent_back(request, chosen, assignment)
    query = {"class": chosen.pk, "show": show}
    if assignment is not None:
        query["assignment"] = assignment.pk
    return render(
        request,
        "engagement/teacher_dashboard.html",
        {
            "classes": classes,
            "chosen": chosen,
            "summaries": selectors.class_summaries(classes=classes),
            "work": selectors.assignment_summaries(school_class=chosen),
            "feedback": selectors.recent_feedback(school_class=chosen),
            "form": form,
            "show": show,
            "assignment": assignment,
            "page": page,
            "query": urlencode(query),
            "nudge_form": nudge_form,
        },
    )


def _nudge_sent_back(request: HttpRequest, chosen, assignment) -> NudgeForm | None:
    """A nudge sent with nobody ticked comes back here (``nudge=again``): the same form,
    with its error for the page's error summary above the pupils to tick."""
    if request.GET.get("nudge") != "again" or assignment is None:
        return None
    form = NudgeForm(
        {
            "school_class": chosen.pk,
            "assignment": assignment.pk,
            "pupil": request.GET.getlist("pupil"),
        }
    )
    return None if form.is_valid() else form


@require_http_methods(["GET", "POST"])
def nudge(request: HttpRequest) -> HttpResponse:
    """GET: what a nudge to the ticked pupils' families would do. POST: send it."""
    access.school_staff_or_404(request.user)
    form = NudgeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        class_id = form.data.get("school_class", "")
        assignment_id = str(form.data.get("assignment", ""))
        if set(form.errors) == {"pupil"} and str(class_id).isdigit() and assignment_id.isdigit():
            # Nobody ticked: back to the pupils, where the error summary says so.
            access.engagement_class_or_404(request.user, class_id)
            url = _dashboard_url(int(class_id), int(assignment_id))
            return redirect(f"{url}&nudge=again#error-summary")
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        if str(class_id).isdigit():
            access.engagement_class_or_404(request.user, class_id)
            return redirect(_dashboard_url(int(class_id), None))
        return redirect("engagement:teacher_dashboard")
    school_class = access.engagement_class_or_404(request.user, form.cleaned_data["school_class"])
    assignment = access.nudge_assignment_or_404(
        request.user, school_class, form.cleaned_data["assignment"]
    )
    back = _dashboard_url(school_class.pk, assignment.pk)
    if assignment not in selectors.open_assignments(school_class=school_class):
        messages.error(request, "That work is not open now: choose work that is.")
        return redirect(back)
    pupil_ids = form.cleaned_data["pupil"]
    if request.method == "POST":
        try:
            result = nudges_send(assignment=assignment, pupil_ids=pupil_ids, actor=request.user)
        except NudgeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Nudge sent to {result.families} "
                f"parent{'' if result.families == 1 else 's'} about {assignment.topic.title}.",
            )
        return redirect(back)
    pupils = access.nudge_pupils_of(request.user, school_class, pupil_ids)
    return render(
        request,
        "engagement/nudge_confirm.html",
        {
            "school_class": school_class,
            "assignment": assignment,
            "pupil_ids": list(pupils.values_list("pk", flat=True)),
            "plan": selectors.nudge_plan(assignment=assignment, pupils=pupils),
            "back": back,
        },
    )


def school_dashboard(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.engagement_school_or_404(request.user, school_id)
    term = selectors.school_term(selectors.school_today())
    never_active = selectors.parents_never_active(school=school)
    page = CountingPaginator(never_active, PARENTS_PER_PAGE).get_page(request.GET.get("page"))
    most, least = selectors.topics_by_use(school=school, term=term)
    classes, year_groups = selectors.class_and_year_group_rows(school=school)
    reach = selectors.reach_of(classes)
    weekly_families = selectors.weekly_active_families(school=school, term=term)
    weekly_completions = selectors.weekly_completions(school=school, term=term)
    return render(
        request,
        "engagement/school_dashboard.html",
        {
            "school": school,
            "term": term,
            "reach": reach,
            "reach_percent": round(100 * reach["reached"] / reach["pupils"])
            if reach["pupils"]
            else 0,
            "weekly_families": weekly_families,
            "weekly_completions": weekly_completions,
            "weeks": selectors.families_this_week_and_last(
                school=school,
                term=term,
                weekly_families=weekly_families,
                weekly_completions=weekly_completions,
            ),
            "classes": classes,
            "year_groups": year_groups,
            "funnel": selectors.invitation_funnel(school=school),
            "most_used": most,
            "least_used": least,
            "never_active": page,
        },
    )
