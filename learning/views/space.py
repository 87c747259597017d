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
CONFIRMATION_TAG = "on-activity"  # a message shown on its activity (_confirm)


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
    confirmations, other_messages = _confirmations(request, activities)
    for activity in activities:
        activity.confirmation = confirmations.get(activity.pk)
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
            "form": bound_form,  # the form sent back with errors: "Error:" in the title
            # The page's other messages: a confirmation shows on its activity instead.
            "messages": other_messages,
        },
    )


def _confirm(request: HttpRequest, activity: Activity, text: str, *, where: str, level=None):
    """Say what was done on the activity it was done to, next to the button pressed.

    A parent on a phone presses "We did this" or "Save feedback" far down a long page;
    the status area at the top of the page would be out of view. ``where`` is the part
    of the activity the confirmation shows in: "done" (the button's place) or
    "feedback" (under "Your feedback").
    """
    messages.add_message(
        request,
        messages.SUCCESS if level is None else level,
        text,
        extra_tags=f"{CONFIRMATION_TAG} {_form_prefix(activity)} {where}",
    )


def _confirmations(request: HttpRequest, activities) -> tuple[dict, list]:
    """Each activity's confirmation (by activity id), and the messages left for the top
    of the page. Reading the messages marks them as shown, as the page shows them all."""
    by_prefix = {_form_prefix(activity): activity.pk for activity in activities}
    placed, others = {}, []
    for message in messages.get_messages(request):
        tags = (message.extra_tags or "").split()
        if len(tags) == 3 and tags[0] == CONFIRMATION_TAG and tags[1] in by_prefix:
            message.where = tags[2]
            placed[by_prefix[tags[1]]] = message
        else:
            others.append(message)
    return placed, others


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
    """Back to the topic, at the activity's confirmation (even without JavaScript)."""
    url = reverse("learning:child_assignment", args=[pupil.pk, assignment.pk])
    return redirect(f"{url}#confirmation-{activity.pk}")


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
    _confirm(
        request,
        activity,
        f"Well done! “{activity.title}” is marked as done. "
        "You can now rate it, leave a comment or add a photo.",
        where="done",
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
        _confirm(request, activity, str(error), where="done", level=messages.ERROR)
    else:
        _confirm(
            request, activity, f"“{activity.title}” is no longer marked as done.", where="done"
        )
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
            _confirm(request, activity, note, where="feedback")
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
    _confirm(
        request, activity, f"Your feedback on “{activity.title}” is removed.", where="feedback"
    )
    return _back_to(pupil, assignment, activity)


def feedback_photo(request: HttpRequest, feedback_id: int) -> HttpResponse:
    """A family's photo, for the parent who shared it and the pupil's staff only."""
    feedback = access.feedback_photo_or_404(request.user, feedback_id)
    return private_file_response(
        feedback.photo, request=request, content_type=PreparedPhoto.content_type
    )
