"""Signing out from an invitation's page (someone else's account is signed in on
the device) keeps the invitation open: the link opened in this session survives
the new session that signing out starts, and its page opens again for whoever
joins or signs in next, as it did when the token was in the address."""

from allauth.account.adapter import get_adapter
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from invitations.views.accept import SESSION_LINK


@login_not_required
@require_POST
def invitation_sign_out(request: HttpRequest) -> HttpResponse:
    link = request.session.get(SESSION_LINK)
    if request.user.is_authenticated:
        get_adapter(request).logout(request)
    if link:
        request.session[SESSION_LINK] = link
    return redirect("invitations:join")
