"""A person's erasure of their own data, from account settings: a page that offers
the download first and says what goes and what stays, then asks for the word and
the password. A parent is erased at once (or by a worker within minutes, for a
large family) and signed out; an account with a staff role opens a request that
staff answer within 30 days."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from privacy import selectors
from privacy.forms import ErasureForm
from privacy.services import erasure_request_open, user_erase_start

REQUEST_OPENED = "Your request to erase your data is with us."


def _signed_out(request: HttpRequest) -> None:
    """End this session without a sign-out record: the account's records are gone,
    and a new one would hold the browser's details again."""
    request.session.flush()
    request.user = AnonymousUser()


@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff_checks_first = not access.can_erase_own_account(user)
    pending = selectors.erasure_request_pending(user=user) if staff_checks_first else None
    # Each try counts towards allauth's limit on re-entering a password, as when
    # closing an account: a borrowed, unlocked phone cannot guess its way through.
    limited = request.method == "POST" and not ratelimit.consume(
        request, action="reauthenticate", user=user
    )
    form = ErasureForm(
        request.POST if request.method == "POST" else None, user=user, limited=limited
    )
    if request.method == "POST" and pending is None and form.is_valid():
        if staff_checks_first:
            erasure_request_open(user=user, actor=user)
            messages.success(request, REQUEST_OPENED)
            return redirect("privacy:erase")
        done = user_erase_start(user=user, actor=user)
        _signed_out(request)
        return redirect(reverse("privacy:erased") + ("" if done else "?in_progress=1"))
    context = {"form": form, "staff_checks_first": staff_checks_first, "pending": pending}
    if not staff_checks_first:
        context["preview"] = selectors.erasure_preview(user=user)
    status = 429 if limited else 200
    return render(request, "privacy/erase.html", context, status=status)


@login_not_required
@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    """Where a person lands once signed out after their erasure."""
    return render(request, "privacy/erased.html", {"in_progress": "in_progress" in request.GET})
