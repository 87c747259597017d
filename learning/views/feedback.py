"""Staff pages of what families shared: an assignment's completions, ratings,
comments and photos, and moderation.

Staff reach only assignments of classes they teach or schools they administer;
a photo is served to the parent who shared it and the pupil's staff only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from accounts.redirects import safe_next_url
from learning import selectors, services
from learning.models import Feedback

FEEDBACK_PER_PAGE = 25


def assignment_feedback(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_or_404(request.user, assignment_id)
    return render(
        request,
        "learning/moderation/assignment_feedback.html",
        {
            "assignment": assignment,
            "topic": assignment.topic,
            "school_class": assignment.school_class,
            "feedback": selectors.assignment_feedback(user=request.user, assignment=assignment),
        },
    )


def feedback_moderation(request: HttpRequest) -> HttpResponse:
    access.require_school_staff(request.user)
    pending = selectors.feedback_awaiting_moderation(user=request.user)
    page = Paginator(pending, FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "learning/moderation/moderation_list.html", {"page": page})


def feedback_reject(request: HttpRequest, feedback_id: int) -> HttpResponse:
    """Say what rejecting a family's comment and photo does, before it is done: the
    page's form posts the decision to ``feedback_moderate``."""
    feedback = access.feedback_to_moderate_or_404(request.user, feedback_id)
    back = safe_next_url(request, request.GET.get("next"), default="learning:feedback_moderation")
    if feedback.removed_at is not None:
        messages.error(request, "The family has removed this feedback.")
        return redirect(back)
    if feedback.moderation_status == Feedback.Moderation.REJECTED:
        messages.error(request, f"Feedback on “{feedback.activity.title}” is already rejected.")
        return redirect(back)
    return render(
        request,
        "learning/moderation/confirm_reject.html",
        {"item": feedback, "pupil": feedback.pupil, "back": back},
    )


@require_POST
def feedback_moderate(request: HttpRequest, feedback_id: int) -> HttpResponse:
    feedback = access.feedback_to_moderate_or_404(request.user, feedback_id)
    decision = request.POST.get("decision")
    if decision not in (services.Decision.APPROVE, services.Decision.REJECT):
        raise Http404("No such decision.")
    try:
        services.feedback_moderate(feedback=feedback, decision=decision, actor=request.user)
    except services.FeedbackError as error:
        messages.error(request, str(error))
    else:
        if decision == services.Decision.APPROVE:
            messages.success(request, f"Feedback on “{feedback.activity.title}” approved.")
        else:
            messages.success(
                request,
                f"Feedback on “{feedback.activity.title}” rejected: staff no longer see it "
                "and its photo is deleted.",
            )
    return redirect(
        safe_next_url(request, request.POST.get("next"), default="learning:feedback_moderation")
    )
