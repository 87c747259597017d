"""The child's space: a parent's main pages, where they do the work set with
their child, mark it done, rate it, comment and share photos.

A parent reaches only their own children (``accounts.access.children_of``):
any other pupil id is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from learning import selectors, services
from learning.files import private_file_response
from learning.forms.space import FeedbackForm
from learning.models import Activity, Assignment, Feedback
from learning.photos import PreparedPhoto
from schools import selectors as school_selectors
from schools.models import Pupil

FEEDBACK_PER_PAGE = 25


def _form_prefix(activity: Activity) -> str:
    return f"activity-{activity.pk}"


def child_space(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = access.child_of_parent_or_404(request.user, pupil_id)
    children = list(school_selectors.children_for_parent(parent=request.user))
    return render(
        request,
        "learning/space/child_space.html",
        {"pupil": pupil, "children": children, "space": selectors.child_space(pupil=pupil)},
    )


def _assignment_page(
    request: HttpRequest,
    *,
    pupil: Pupil,
    assignment: Assignment,
    bound_form: FeedbackForm | None = None,
    bound_activity_id: int | None = None,
) -> HttpResponse:
    can_record = access.can_record_for_child(request.user, pupil)
    activities = assignment.topic.ordered_activities
    for activity in activities:
        activity.feedback_form = None
        activity.undo_open = (
            can_record
            and activity.completion is not None
            and services.completion_undo_open(activity.completion, user=request.user)
        )
        if not can_record or activity.completion is None:
            continue
        if activity.pk == bound_activity_id:
            activity.feedback_form = bound_form
            continue
        own = activity.my_feedback
        activity.feedback_form = FeedbackForm(
            prefix=_form_prefix(activity),
            has_feedback=own is not None,
            initial={"rating": own.rating, "comment": own.comment} if own else None,
        )
    return render(
        request,
        "learning/space/child_assignment.html",
        {
            "pupil": pupil,
            "assignment": assignment,
            "topic": assignment.topic,
            "activities": activities,
            "can_record": can_record,
            "moderated": pupil.school.moderate_feedback,
            "form": bound_form,  # a form with errors puts "Error:" in the page title
        },
    )


def _child_assignment_or_404(request: HttpRequest, pupil_id: int, assignment_id: int):
    pupil = access.child_of_parent_or_404(request.user, pupil_id)
    assignment = selectors.child_assignment(
        pupil=pupil, parent=request.user, assignment_id=assignment_id
    )
    if assignment is None:
        raise Http404("No such topic for this child.")
    return pupil, assignment


def _activity_of(assignment: Assignment, activity_id: int) -> Activity:
    for activity in assignment.topic.ordered_activities:
        if activity.pk == activity_id:
            return activity
    raise Http404("No such activity in this topic.")


def _back_to(pupil: Pupil, assignment: Assignment, activity: Activity) -> HttpResponse:
    url = reverse("learning:child_assignment", args=[pupil.pk, assignment.pk])
    return redirect(f"{url}#activity-{activity.pk}")


def child_assignment(request: HttpRequest, pupil_id: int, assignment_id: int) -> HttpResponse:
    pupil, assignment = _child_assignment_or_404(request, pupil_id, assignment_id)
    services.assignment_open_record(assignment=assignment, pupil=pupil, actor=request.user)
    return _assignment_page(request, pupil=pupil, assignment=assignment)


@require_POST
def child_activity_done(
    request: HttpRequest, pupil_id: int, assignment_id: int, activity_id: int
) -> HttpResponse:
    pupil, assignment = _child_assignment_or_404(request, pupil_id, assignment_id)
    activity = _activity_of(assignment, activity_id)
    services.completion_record(pupil=pupil, activity=activity, actor=request.user)
    messages.success(
        request,
        f"Well done! “{activity.title}” is marked as done. "
        "You can now rate it, leave a comment or add a photo.",
    )
    return _back_to(pupil, assignment, activity)


@require_POST
def child_activity_undo(
    request: HttpRequest, pupil_id: int, assignment_id: int, activity_id: int
) -> HttpResponse:
    """Take back "We did this" tapped by mistake (the rule: ``services.completion_undo``)."""
    pupil, assignment = _child_assignment_or_404(request, pupil_id, assignment_id)
    activity = _activity_of(assignment, activity_id)
    completion = activity.completion
    if completion is None or not access.can_undo_completion(request.user, completion):
        access.refuse("Nothing of yours to undo.")
    try:
        services.completion_undo(completion=completion, actor=request.user)
    except services.CompletionUndoError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{activity.title}” is no longer marked as done.")
    return _back_to(pupil, assignment, activity)


@require_POST
def child_activity_feedback(
    request: HttpRequest, pupil_id: int, assignment_id: int, activity_id: int
) -> HttpResponse:
    pupil, assignment = _child_assignment_or_404(request, pupil_id, assignment_id)
    activity = _activity_of(assignment, activity_id)
    if not access.can_record_for_child(request.user, pupil):
        raise PermissionDenied("Feedback is closed for this child.")
    form = FeedbackForm(
        request.POST,
        request.FILES,
        prefix=_form_prefix(activity),
        has_feedback=activity.my_feedback is not None,
    )
    if form.is_valid():
        photo: PreparedPhoto | None = form.cleaned_data["photo"]
        try:
            saved = services.feedback_save(
                pupil=pupil,
                activity=activity,
                actor=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                photo=photo,
            )
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            note = "Thank you: your feedback is saved."
            if saved.moderation_status == Feedback.Moderation.PENDING:
                note += (
                    " The school sees your comment and photo once a member of staff approves them."
                )
            messages.success(request, note)
            return _back_to(pupil, assignment, activity)
    return _assignment_page(
        request,
        pupil=pupil,
        assignment=assignment,
        bound_form=form,
        bound_activity_id=activity.pk,
    )


@require_http_methods(["GET", "POST"])
def child_activity_feedback_remove(
    request: HttpRequest, pupil_id: int, assignment_id: int, activity_id: int
) -> HttpResponse:
    """GET: say what removing the feedback deletes; POST: remove it."""
    pupil, assignment = _child_assignment_or_404(request, pupil_id, assignment_id)
    activity = _activity_of(assignment, activity_id)
    if activity.my_feedback is None:
        raise Http404("No feedback to remove.")
    if request.method == "GET":
        return render(
            request,
            "learning/space/confirm_feedback_remove.html",
            {
                "pupil": pupil,
                "assignment": assignment,
                "activity": activity,
                "own": activity.my_feedback,
            },
        )
    services.feedback_remove(feedback=activity.my_feedback, actor=request.user)
    messages.success(request, f"Your feedback on “{activity.title}” is removed.")
    return _back_to(pupil, assignment, activity)


def feedback_photo(request: HttpRequest, feedback_id: int) -> HttpResponse:
    """A family's photo, for the parent who shared it and the pupil's staff only."""
    feedback = access.feedback_photo_or_404(request.user, feedback_id)
    return private_file_response(
        feedback.photo, request=request, content_type=PreparedPhoto.content_type
    )
