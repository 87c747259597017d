"""A user's notification settings, the stop links in engagement messages, the
development outbox page and the GOV.UK Notify delivery-receipt callback."""

import json
import logging
import re

from csp.constants import NONE, SELF
from csp.decorators import csp, csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications.forms import EngagementChannelsForm
from notifications.models import Message, Topic
from notifications.selectors import (
    engagement_channels_for,
    message_html_of,
    messages_recent,
    outbox_entries,
)
from notifications.services import (
    message_receipt_record,
    notification_preferences_set,
    notifications_stop,
)
from notifications.stop_links import Scope, StopLink, stop_token, stop_token_read

logger = logging.getLogger(__name__)

OUTBOX_PAGE_SIZE = 25

# Notify's delivery-receipt statuses. A permanent failure means the number or
# address does not exist (bounced); a temporary one that Notify gave up on a phone
# that stayed off or an inbox that stayed full; a technical one is Notify's own.
NOTIFY_STATUSES = {
    "delivered": Message.Status.DELIVERED,
    "permanent-failure": Message.Status.BOUNCED,
    "temporary-failure": Message.Status.FAILED,
    "technical-failure": Message.Status.FAILED,
}
# We send each SMS with the reference "message-<primary key>" (notifications.services).
MESSAGE_REFERENCE = re.compile(r"message-([1-9][0-9]{0,17})")


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Which news about their children's learning the user wants, and the channels
    it comes on.

    While SMS is disabled the page offers email alone and saving keeps the SMS
    choice as it was (no text goes either way)."""
    channels = engagement_channels_for(user=request.user)
    if request.method == "POST":
        form = EngagementChannelsForm(request.POST)
        if form.is_valid():
            chosen = {"engagement_sms": channels.sms, **form.cleaned_data}
            notification_preferences_set(user=request.user, **chosen)
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:notification_preferences")
    form = EngagementChannelsForm(
        initial={
            "engagement_email": channels.email,
            "engagement_sms": channels.sms,
            "new_work": channels.new_work,
            "reminders": channels.reminders,
            "awards": channels.awards,
        }
    )
    quiet_start, quiet_end = settings.QUIET_HOURS or (None, None)
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "channels": channels,
            "sms_available": "engagement_sms" in form.fields,
            "topic_fields": [form[name] for name in ("new_work", "reminders", "awards")],
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )


# What each stop link stops, in the words of its page.
STOPPED = {
    Topic.NEW_WORK.value: "messages about new work from your child's teacher",
    Topic.REMINDERS.value: "reminders about your child's work",
    Topic.AWARDS.value: "messages about the awards your child earns",
    Scope.EMAIL: "news emails about your child's learning (new work, reminders and awards)",
    Scope.SMS: "news texts about your child's learning (new work, reminders and awards)",
}


def _stop_link_user(token: str) -> tuple[StopLink | None, object | None]:
    link = stop_token_read(token)
    if link is None:
        return None, None
    return link, get_user_model().objects.filter(pk=link.user_id).first()


def _stop_page(
    request: HttpRequest, token: str, link: StopLink, user, *, stopped: bool
) -> HttpResponse:
    closed = user.closed_at is not None or not user.is_active
    context = {
        "token": token,
        "what": STOPPED[link.scope],
        "stopped": stopped,
        "closed": closed,
        "topic": link.scope not in (Scope.EMAIL, Scope.SMS),
        "stop_all_email_token": stop_token(user_id=user.pk, scope=Scope.EMAIL),
    }
    return render(request, "notifications/stop.html", context)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """A stop link from an engagement message: stops what it names at once, with
    no sign-in, and says so, offering to turn it back on.

    A POST is a mail client's one-click unsubscribe (RFC 8058: ``List-Unsubscribe=
    One-Click`` in the body, no cookies, so no CSRF token): it stops the same way
    and answers with a line of text. The token is the only key either needs."""
    link, user = _stop_link_user(token)
    if link is None or user is None:
        if request.method == "POST":
            return HttpResponse("This link does not work.", status=404, content_type="text/plain")
        return render(request, "notifications/stop_invalid.html", status=404)
    via = "one-click" if request.method == "POST" else "link"
    notifications_stop(user=user, scope=link.scope, via=via)
    if request.method == "POST":
        return HttpResponse(f"Stopped: {STOPPED[link.scope]}.", content_type="text/plain")
    return _stop_page(request, token, link, user, stopped=True)


@login_not_required
@require_POST
def stop_undo(request: HttpRequest, token: str) -> HttpResponse:
    """Turn back on what a stop link stopped (its page's button)."""
    link, user = _stop_link_user(token)
    if link is None or user is None:
        return render(request, "notifications/stop_invalid.html", status=404)
    notifications_stop(user=user, scope=link.scope, via="undo", resume=True)
    return _stop_page(request, token, link, user, stopped=False)


# An email's HTML part, shown in a frame of the outbox page: its inline styles
# apply, and nothing else does. No scripts, nothing loaded, and only the outbox
# page (same origin) may frame it.
EMAIL_PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
}


@login_not_required
@csp_replace({"frame-src": [SELF]})
def outbox(request: HttpRequest) -> HttpResponse:
    """Development only: the messages the portal has written, newest first, with the
    links in them, so that someone trying the portal can follow an invitation link.
    Each email shows as its recipient will see it, its HTML part in a sandboxed
    frame (``outbox_html``), as the page's own policy forbids inline styles.

    A 404 unless DEBUG is on. It needs no sign-in, as the parent following the link
    has no account yet: with DEBUG off it must not exist at all.
    """
    if not settings.DEBUG:
        raise Http404("The outbox page exists only in development.")
    page = Paginator(messages_recent(), OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {"page": page, "entries": outbox_entries(list(page.object_list))},
    )


@login_not_required
@csp(EMAIL_PREVIEW_POLICY)
@xframe_options_sameorigin
def outbox_html(request: HttpRequest, message_id: int) -> HttpResponse:
    """Development only, like the outbox page: one email's HTML part, for the
    outbox page's frame. Its own policy allows the inline styles emails need and
    nothing else; the frame is sandboxed, so no script could run either way."""
    if not settings.DEBUG:
        raise Http404("The outbox page exists only in development.")
    html = message_html_of(message_id)
    if html is None:
        raise Http404("No such email.")
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _bearer_token_ok(request: HttpRequest) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return constant_time_compare(token.strip(), expected)


def _bad_request(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


@login_not_required
@csrf_exempt
@require_POST
def notify_delivery_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery-receipt callback for the SMS we send.

    Notify POSTs JSON with our ``reference``, its own ``id`` and a ``status``, and
    a bearer token (``NOTIFY_CALLBACK_TOKEN``; with none set every call is refused).
    403 for a wrong token, 400 for a body that is not such a receipt, 204 otherwise,
    including for a receipt about a message we do not know (Notify need not retry).
    """
    if not _bearer_token_ok(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _bad_request("body is not JSON")
    if not isinstance(payload, dict):
        return _bad_request("body is not a JSON object")
    status = payload.get("status")
    reference = payload.get("reference")
    provider_id = payload.get("id")
    if not isinstance(status, str) or status not in NOTIFY_STATUSES:
        return _bad_request("unknown status")
    if reference is not None and not isinstance(reference, str):
        return _bad_request("reference must be a string or null")
    if provider_id is not None and not isinstance(provider_id, str):
        return _bad_request("id must be a string or null")
    match = MESSAGE_REFERENCE.fullmatch(reference or "")
    if match is None:
        # Not one of ours (sent without our reference, or by another system).
        return HttpResponse(status=204)
    message = message_receipt_record(
        message_id=int(match.group(1)),
        status=NOTIFY_STATUSES[status],
        provider_id=(provider_id or "")[:255],
        detail=f"Notify {status}",
    )
    if message is None:
        logger.info("Notify receipt for unknown message %s", match.group(1))
    return HttpResponse(status=204)
