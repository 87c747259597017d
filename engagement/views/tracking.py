"""The two ways a parent's page tells the portal what they did that it cannot see
itself: a video started (a beacon from the portal's own script) and a game opened
(the portal's link, which records and then sends them on to the game).

Both carry the child and the topic set (``pupil``, ``assignment``); anyone who is
not that child's parent, or an activity not set for the child, gets a 404.
Whether an event is recorded at all is ``engagement.services.event_record``'s rule.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from engagement.models import Event
from engagement.services import REPEAT_WITHIN, event_record
from learning.models import Activity


def _id(value: str | None) -> int:
    """A primary key from a query or form field; anything else is a 404."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    access.refuse("No such activity for this child.")


def _child_activity(request: HttpRequest, params, activity_id: int, kind: str):
    return access.child_activity_or_404(
        request.user,
        pupil_id=_id(params.get("pupil")),
        assignment_id=_id(params.get("assignment")),
        activity_id=activity_id,
        kind=kind,
    )


@require_POST
def video_started(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The beacon ``static/js/video_started.js`` sends when a video starts playing
    (for a YouTube or Vimeo video, when its player page has loaded the player:
    the parent chose to play it, and the provider's player cannot be watched
    without the provider's script). Answers 204 whether or not it was recorded."""
    pupil, activity = _child_activity(request, request.POST, activity_id, Activity.Kind.VIDEO)
    event_record(
        actor=request.user,
        kind=Event.Kind.VIDEO_STARTED,
        school=pupil.school,
        pupil=pupil,
        subject=f"activity:{activity.pk}",
        once_per=REPEAT_WITHIN,
    )
    return HttpResponse(status=204)


@require_GET
def game_open(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Record that the parent opened the game, then send them to it. The address
    is the one the teacher saved on the activity, never one from the request."""
    pupil, activity = _child_activity(request, request.GET, activity_id, Activity.Kind.GAME)
    event_record(
        actor=request.user,
        kind=Event.Kind.GAME_OPENED,
        school=pupil.school,
        pupil=pupil,
        subject=f"activity:{activity.pk}",
        once_per=REPEAT_WITHIN,
    )
    return HttpResponseRedirect(activity.game_url)
