"""Topic library and authoring pages for teachers and school admins, and the
pages that play an activity's video.

Videos from YouTube or Vimeo: the site's CSP allows no frame at all, and no page
loads anything from another host before the viewer chooses to. So a topic page
shows a video link as a placeholder naming the provider, with a "Play" link to
a page of its own (``activity_video``). Only that page embeds the provider's
privacy-enhanced player (youtube-nocookie.com, or Vimeo with ``dnt=1``), and
only that response's CSP allows frames, from exactly those two origins. It works
without JavaScript; the click is the choice. An uploaded video is the portal's
own file, shown in a ``<video>`` element and streamed through
``activity_video_file`` after the same access check as the page.
"""

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from engagement.models import Event
from engagement.services import REPEAT_WITHIN, event_record
from learning import selectors, services
from learning.files import private_file_response
from learning.forms.topics import ActivityForm, TopicFilterForm, TopicForm
from learning.models import Activity, Topic
from learning.video import EMBED_ORIGINS

TOPICS_PER_PAGE = 25


def topic_list(request: HttpRequest) -> HttpResponse:
    access.require_school_staff(request.user)
    filter_form = TopicFilterForm(request.GET)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    topics = selectors.topics_for_staff(
        user=request.user,
        year_group=filters.get("year_group"),
        subject=filters.get("subject", ""),
        source=filters.get("source", ""),
    )
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/topic_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": any(filters.get(name) not in (None, "") for name in filters),
            "query": query.urlencode(),
        },
    )


def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    access.require_school_staff(request.user)
    topic = access.topic_or_404(request.user, topic_id)
    return render(
        request,
        "learning/topic_detail.html",
        {
            "topic": topic,
            "activities": selectors.activities_of(topic),
            "can_edit": access.can_edit_topic(request.user, topic),
        },
    )


@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    access.require_school_staff(request.user)
    schools = selectors.schools_for_new_topic(user=request.user)
    form = TopicForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school", None) or schools.first()
        topic = services.topic_create(school=school, actor=request.user, **data)
        messages.success(request, f"“{topic.title}” created. Now add its activities.")
        return redirect("learning:topic_detail", topic_id=topic.pk)
    return render(request, "learning/topic_form.html", {"form": form, "topic": None})


@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        services.topic_update(topic=topic, actor=request.user, **form.cleaned_data)
        messages.success(request, f"“{topic.title}” saved.")
        return redirect("learning:topic_detail", topic_id=topic.pk)
    return render(request, "learning/topic_form.html", {"form": form, "topic": topic})


@require_http_methods(["GET", "POST"])
def topic_delete(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    if request.method == "POST":
        try:
            services.topic_delete(topic=topic, actor=request.user)
        except (services.TopicInUseError, services.ActivityInUseError) as error:
            messages.error(request, str(error))
            return redirect("learning:topic_detail", topic_id=topic.pk)
        messages.success(request, f"“{topic.title}” deleted.")
        return redirect("learning:topic_list")
    return render(
        request,
        "learning/confirm_delete.html",
        {
            "topic": topic,
            "thing": f"the topic “{topic.title}” and all its activities",
            "cancel_url": reverse("learning:topic_detail", args=[topic.pk]),
        },
    )


def _activity_of(topic: Topic, activity_id: int) -> Activity:
    return get_object_or_404(topic.activities.select_related("topic"), pk=activity_id)


def _back_to_activity(activity: Activity) -> HttpResponse:
    """Back to the topic page, scrolled to the activity."""
    return redirect(
        f"{reverse('learning:topic_detail', args=[activity.topic_id])}#activity-{activity.pk}"
    )


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=Activity(topic=topic))
    if request.method == "POST" and form.is_valid():
        activity = services.activity_create(topic=topic, actor=request.user, **form.cleaned_data)
        messages.success(request, f"“{activity.title}” added.")
        return _back_to_activity(activity)
    return render(
        request, "learning/activity_form.html", {"form": form, "topic": topic, "activity": None}
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, topic_id: int, activity_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    activity = _activity_of(topic, activity_id)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        services.activity_update(activity=activity, actor=request.user, **form.cleaned_data)
        messages.success(request, f"“{activity.title}” saved.")
        return _back_to_activity(activity)
    return render(
        request,
        "learning/activity_form.html",
        {"form": form, "topic": topic, "activity": activity},
    )


@require_POST
def activity_move(request: HttpRequest, topic_id: int, activity_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    activity = _activity_of(topic, activity_id)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        raise Http404("No such move.")
    if services.activity_move(activity=activity, direction=direction, actor=request.user):
        messages.success(request, f"“{activity.title}” moved {direction}.")
    return _back_to_activity(activity)


@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, topic_id: int, activity_id: int) -> HttpResponse:
    topic = access.topic_editable_or_404(request.user, topic_id)
    activity = _activity_of(topic, activity_id)
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, actor=request.user)
        except services.ActivityInUseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{activity.title}” deleted.")
        return redirect("learning:topic_detail", topic_id=topic.pk)
    return render(
        request,
        "learning/confirm_delete.html",
        {
            "topic": topic,
            "thing": f"the activity “{activity.title}”",
            "cancel_url": reverse("learning:topic_detail", args=[topic.pk]),
        },
    )


def _video_child(request: HttpRequest, topic: Topic, activity: Activity):
    """The viewer's own child and the topic set for them that the Play link came
    from (it carries ``pupil`` and ``assignment``), as ``(pupil, assignment_id)``;
    None for staff, or for any other pupil or topic."""
    pupil_id, assignment_id = request.GET.get("pupil", ""), request.GET.get("assignment", "")
    if not all(
        value.isascii() and value.isdigit() and len(value) < 10
        for value in (pupil_id, assignment_id)
    ):
        return None
    pupil = access.children_of(request.user).select_related("school").filter(pk=pupil_id).first()
    if (
        pupil is None
        or not selectors.assignments_for_child(pupil=pupil)
        .filter(pk=assignment_id, topic=topic)
        .exists()
    ):
        return None
    return pupil, int(assignment_id)


def _video_back_url(request: HttpRequest, topic: Topic, activity: Activity, child) -> str:
    """The topic page the viewer came from: the child's topic for a parent, the
    topic's page for staff."""
    if child is not None:
        pupil, assignment_id = child
        url = reverse("learning:child_assignment", args=[pupil.pk, assignment_id])
        return f"{url}#activity-{activity.pk}"
    if access.can_author_topics(request.user):
        return f"{reverse('learning:topic_detail', args=[topic.pk])}#activity-{activity.pk}"
    return reverse("accounts:home")


@csp_replace({"frame-src": list(EMBED_ORIGINS)})
def activity_video(request: HttpRequest, topic_id: int, activity_id: int) -> HttpResponse:
    """The one page that embeds a provider's player: opened by choosing to play.
    A parent opening it from their child's topic opens the activity (an
    ACTIVITY_OPENED event); its script tells the portal when the video starts."""
    topic = access.topic_or_404(request.user, topic_id)
    activity = _activity_of(topic, activity_id)
    if activity.kind != Activity.Kind.VIDEO:
        raise Http404("This activity has no video.")
    child = _video_child(request, topic, activity)
    if child is not None:
        event_record(
            actor=request.user,
            kind=Event.Kind.ACTIVITY_OPENED,
            school=child[0].school,
            pupil=child[0],
            subject=f"activity:{activity.pk}",
            once_per=REPEAT_WITHIN,
        )
    return render(
        request,
        "learning/activity_video.html",
        {
            "topic": topic,
            "activity": activity,
            "link": activity.video_link,
            "back_url": _video_back_url(request, topic, activity, child),
            "pupil": child[0] if child else None,
            "assignment_id": child[1] if child else None,
        },
    )


def activity_video_file(request: HttpRequest, topic_id: int, activity_id: int) -> HttpResponse:
    """An uploaded video, for those who may see its topic."""
    topic = access.topic_or_404(request.user, topic_id)
    activity = _activity_of(topic, activity_id)
    if not activity.video_file:
        raise Http404("This activity has no video file.")
    return private_file_response(activity.video_file, request=request)
