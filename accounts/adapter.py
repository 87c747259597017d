"""How allauth behaves here: no open sign-up, addresses from ``accounts.clients``,
limits that say when to try again, every email through the outbox."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import requires_two_factor
from accounts.clients import client_ip
from accounts.limits import retry_after_seconds, wait_phrase

SIGNED_IN_MESSAGE = "account/messages/logged_in.txt"
# The allauth emails with a main action: the context key of its link, and the
# words of the button that carries it in the HTML part.
EMAIL_ACTIONS = {
    "password_reset_key": ("password_reset_url", "Choose a new password"),
    "email_confirmation": ("activate_url", "Confirm your new email address"),
}


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts come from staff creation and invitations."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refused by a sign-in limit: say how long to wait, not just "later"."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as error:
            key = self._get_login_attempts_cache_key(request, **credentials)
            seconds = retry_after_seconds(request, action="login_failed", key=key)
            raise forms.ValidationError(
                "Too many failed sign-in attempts for this account. "
                f"Try again in {wait_phrase(seconds)}, or reset your password.",
                code="too_many_login_attempts",
            ) from error

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # Staff are not signed in until the second factor is passed: no
        # "Successfully signed in" on the page that asks for it.
        if message_template == SIGNED_IN_MESSAGE and requires_two_factor(request.user):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def respond_user_inactive(self, request: HttpRequest, user) -> HttpResponse:
        """A closed account's holder typed the right password: tell them it is
        closed, until when it can be restored and whom to ask, rather than
        allauth's page for accounts not opened yet."""
        if getattr(user, "closed_at", None) is None:
            return super().respond_user_inactive(request, user)
        from accounts.selectors import schools_of_account
        from accounts.services import CLOSED_ACCOUNT_HOLD_DAYS, restore_refusal

        context = {
            "closed_at": user.closed_at,
            "delete_after": user.delete_after,
            "restorable": not restore_refusal(user=user),
            "hold_days": CLOSED_ACCOUNT_HOLD_DAYS,
            "schools": schools_of_account(user=user),
        }
        return render(request, "account/account_closed.html", context, status=403)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email (reset links, email confirmations, notices of
        changes) and write it to the outbox, like every other message: it is
        retried, and shows on the demo's outbox page. Its HTML part is the layout of
        every email (notifications/email/base.html), the reset or confirmation link
        as its button."""
        from accounts.services import account_email_queue

        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        rendered = self.render_mail(template_prefix, email, full_context)
        kind = template_prefix.rsplit("/", 1)[-1]
        link_key, action_label = EMAIL_ACTIONS.get(kind, ("", ""))
        account_email_queue(
            to_address=email,
            subject=rendered.subject,
            body=rendered.body,
            kind=kind,
            user=context.get("user"),
            action_url=str(full_context.get(link_key, "")) if link_key else "",
            action_label=action_label,
        )

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        """allauth tells the account about changes (email changed, password
        changed). Not after a reset by email link: the link went to that same
        inbox, and a new member of staff choosing their first password would be
        told their password had been "reset".

        The account goes with the email, so that its header names the account's
        school and a closed account is not written to."""
        if template_prefix == "account/email/password_reset":
            return
        context = {"user": user, **(context or {})}
        super().send_notification_mail(template_prefix, user, context=context, email=email)

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        """The link sent to a new address was followed: it replaces the old one."""
        from accounts.services import email_change_confirm

        return email_change_confirm(request=request, email_address=email_address)
