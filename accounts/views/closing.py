"""Closing one's own account from account settings, and the page that confirms it.

The closing page says what happens first (no JavaScript needed) and asks for the
password; a staff account is told who removes it instead. Once closed, the
request's session ends with every other session of the account, and the person
lands on a public page giving the date their data will be deleted.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.core import ratelimit
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from accounts.forms import AccountCloseForm
from accounts.selectors import schools_of_account
from accounts.services import CLOSED_ACCOUNT_HOLD_DAYS, account_close
from accounts.services.closing import OWN_REQUEST

# What the signed-out confirmation page shows, kept in the new anonymous session.
CLOSED_SESSION_KEY = "account_closed"


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_close_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_close_own_account(user):
        return render(request, "accounts/close_staff.html")
    # Each try counts towards allauth's limit on re-entering a password.
    limited = request.method == "POST" and not ratelimit.consume(
        request, action="reauthenticate", user=user
    )
    form = AccountCloseForm(request.POST or None, user=user, limited=limited)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            contacts = schools_of_account(user=user)
            account_close(user=user, actor=user, reason=OWN_REQUEST)
            user.refresh_from_db(fields=["delete_after"])
            logout(request)
            request.session[CLOSED_SESSION_KEY] = {
                "delete_after": user.delete_after.isoformat(),
                "schools": contacts,
            }
            return redirect("accounts:closed")
        status = 429 if limited else 400
    return render(
        request,
        "accounts/close.html",
        {
            "form": form,
            "hold_days": CLOSED_ACCOUNT_HOLD_DAYS,
            "delete_on": timezone.localtime() + timedelta(days=CLOSED_ACCOUNT_HOLD_DAYS),
        },
        status=status,
    )


@login_not_required
@never_cache
@require_GET
def account_closed(request: HttpRequest) -> HttpResponse:
    """Public: the person has just been signed out by closing their account."""
    closed = request.session.get(CLOSED_SESSION_KEY) or {}
    delete_after = parse_datetime(closed.get("delete_after") or "")
    return render(
        request,
        "accounts/closed.html",
        {
            "delete_after": timezone.localtime(delete_after) if delete_after else None,
            "schools": closed.get("schools") or [],
            "hold_days": CLOSED_ACCOUNT_HOLD_DAYS,
        },
    )
