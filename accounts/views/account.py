"""A user's own account settings: name, email, mobile, password, sessions."""

from __future__ import annotations

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as ratelimit_core
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import EmailChangeForm, MobileCodeForm, MobileForm, NameForm
from accounts.limits import retry_after_seconds, wait_phrase
from accounts.selectors import account_settings_for, pending_mobile_change
from accounts.services import (
    email_change_cancel,
    email_change_request,
    mobile_change_confirm,
    mobile_change_start,
    mobile_remove,
    processing_restriction_set,
    sessions_end_others,
    user_name_change,
)

RESTRICTED = "Your data is now restricted: we keep it, but send you nothing and record nothing."
UNRESTRICTED = "The restriction is lifted: messages and the record of your activity start again."

# Codes texted to a new mobile: a few per user, so the form cannot send floods of texts.
MOBILE_CODE_LIMIT = {"mobile_code": "3/10m/user,10/d/user"}


def _page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    context = {
        "name_form": forms.get("name_form")
        or NameForm(initial={"first_name": user.first_name, "last_name": user.last_name}),
        "email_form": forms.get("email_form") or EmailChangeForm(user=user),
        "mobile_form": forms.get("mobile_form") or MobileForm(user=user),
        "account": account_settings_for(user=user, session_key=request.session.session_key),
    }
    return render(request, "accounts/settings.html", context, status=status)


def account_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def account_name(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if not form.is_valid():
        return _page(request, name_form=form, status=400)
    user_name_change(user=request.user, **form.cleaned_data)
    messages.success(request, "Your name is saved.")
    return redirect("accounts:settings")


@require_POST
def account_email(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, email_form=form, status=400)
    if not ratelimit.consume(request, action="manage_email", user=request.user):
        form.add_error("email", "You have asked for several links just now. Try again in a minute.")
        return _page(request, email_form=form, status=429)
    email = form.cleaned_data["email"]
    email_change_request(request=request, user=request.user, email=email)
    messages.success(
        request,
        f"We have sent a link to {email}. Follow it to make that your email address; "
        "until then you keep signing in with your current one.",
    )
    return redirect("accounts:settings")


@require_POST
def account_email_cancel(request: HttpRequest) -> HttpResponse:
    email_change_cancel(user=request.user)
    messages.success(request, "The email change is cancelled; the link we sent no longer works.")
    return redirect("accounts:settings")


@require_POST
def account_mobile(request: HttpRequest) -> HttpResponse:
    form = MobileForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, mobile_form=form, status=400)
    limit = dict(app="accounts", action="mobile_code", config=MOBILE_CODE_LIMIT)
    if not ratelimit_core.consume(request, user=request.user, **limit):
        seconds = retry_after_seconds(request, user=request.user, **limit)
        form.add_error(
            "mobile", f"We have sent several codes just now. Try again in {wait_phrase(seconds)}."
        )
        return _page(request, mobile_form=form, status=429)
    mobile_change_start(user=request.user, mobile=form.cleaned_data["mobile"])
    return redirect("accounts:mobile_confirm")


@require_http_methods(["GET", "POST"])
def account_mobile_confirm(request: HttpRequest) -> HttpResponse:
    change = pending_mobile_change(user=request.user)
    if change is None:
        messages.info(request, "There is no new number waiting for a code. Enter it again.")
        return redirect("accounts:settings")
    form = MobileCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mobile_change_confirm(user=request.user, code=form.cleaned_data["code"])
        if result.changed:
            messages.success(request, f"Your mobile number is now {change.mobile}.")
            return redirect("accounts:settings")
        if pending_mobile_change(user=request.user) is None:
            messages.error(request, result.error)
            return redirect("accounts:settings")
        form.add_error("code", result.error)
    return render(request, "accounts/mobile_confirm.html", {"form": form, "change": change})


@require_POST
def account_mobile_remove(request: HttpRequest) -> HttpResponse:
    mobile_remove(user=request.user)
    messages.success(request, "Your mobile number is removed. We will not text you.")
    return redirect("accounts:settings")


@require_POST
def account_sessions_end(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_others(user=request.user, current_session_key=request.session.session_key)
    if ended:
        messages.success(
            request,
            f"Signed out on {ended} other device{'s' if ended != 1 else ''} or browser"
            f"{'s' if ended != 1 else ''}. You are still signed in here.",
        )
    else:
        messages.success(
            request, "You were not signed in anywhere else. You are still signed in here."
        )
    return redirect("accounts:settings")


@require_http_methods(["GET", "POST"])
def account_restriction(request: HttpRequest) -> HttpResponse:
    """Restrict how the portal uses a parent's data, or lift it: a page that says
    what it means first (no JavaScript needed), then a POST that does it."""
    user = request.user
    if not account_settings_for(user=user, session_key=None).parent and (
        not user.processing_restricted
    ):
        return redirect("accounts:settings")
    if request.method == "POST":
        restrict = request.POST.get("restricted") == "yes"
        if processing_restriction_set(user=user, restricted=restrict, actor=user):
            done = RESTRICTED if restrict else UNRESTRICTED
            messages.success(request, done)
        return redirect("accounts:settings")
    return render(request, "accounts/restriction.html", {"restricted": user.processing_restricted})
