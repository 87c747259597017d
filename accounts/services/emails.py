"""Emails allauth sends (password resets, email confirmations, notices of changes),
written to the outbox, and an email change taking effect."""

from __future__ import annotations

import uuid

from allauth.account.internal.flows.email_verification import verify_email
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest

from accounts.lookup import normalise_email
from accounts.models import User
from audit.services import audit_record
from notifications.models import Message
from notifications.services import message_queue


def email_paragraphs(body: str, action_url: str) -> list[dict[str, object]]:
    """The paragraphs of an allauth email's text, for its HTML part: the line that
    is only the action's link is left out, and its paragraph marked, so that the
    button (with the link written out) stands where the link was."""
    paragraphs = []
    for block in body.strip().split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        kept = [line for line in lines if not action_url or line.strip() != action_url]
        paragraphs.append({"text": "\n".join(kept), "action": len(kept) < len(lines)})
    return [paragraph for paragraph in paragraphs if paragraph["text"] or paragraph["action"]]


def _school_name_of(user: User | None) -> str:
    """The school an account belongs to, when there is exactly one, for the email's
    header; an account with several schools (or none) is written to by the portal."""
    if user is None or user.pk is None:
        return ""
    from accounts.selectors import schools_of_account

    schools = schools_of_account(user=user)
    return schools[0]["name"] if len(schools) == 1 else ""


@transaction.atomic
def account_email_queue(
    *,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    user: User | None = None,
    action_url: str = "",
    action_label: str = "",
) -> Message | None:
    """Write one of allauth's emails, already rendered, to the outbox.

    ``kind`` is the allauth template's name (``password_reset_key``, ...), kept as
    the message's reference. ``user`` is the account it is about, if any: a closed
    or restricted account gets nothing, as with every message. allauth names no
    account when the address has none it can sign in to (a reset asked for a
    closed account, say): a closed account holding the address still gets nothing.

    The text is allauth's as rendered; the HTML part puts it in the layout of every
    email, with ``action_url`` (a reset or confirmation link) as its button.
    """
    account = user if isinstance(user, User) else None
    if account is None:
        user = User.objects.filter(
            email__iexact=normalise_email(to_address), closed_at__isnull=False
        ).first()
    context = {
        "subject": subject,
        "heading": subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX),
        "body": body,
        "kind": kind,
        "paragraphs": email_paragraphs(body, action_url),
        "action_url": action_url,
        "action_label": action_label,
        "school_name": _school_name_of(account),
    }
    return message_queue(
        recipient=user,
        channel=Message.Channel.EMAIL,
        kind=Message.Kind.SERVICE,
        template="account_email",
        context=context,
        to_address=to_address,
        idempotency_key=f"account-email:{uuid.uuid4().hex}",
        reference=f"account-email:{kind}",
    )


def email_address_current(*, user: User) -> EmailAddress | None:
    """The allauth record of the address the user signs in with, made if missing.

    Accounts are made by staff and by invitations, not by allauth, so most have no
    EmailAddress row until they first change their email. The address they have
    is the one they received their invitation or set-password link at: it is
    recorded as verified, so that allauth treats a new address as the change.
    """
    if not user.email:
        return None
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=True
        )
    elif not (address.primary and address.verified):
        address.primary = address.verified = True
        address.save(update_fields=["primary", "verified"])
    return address


def email_in_use_by_another(*, user: User, email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True)
        .exclude(user=user)
        .exists()
    )


def email_change_request(*, request: HttpRequest, user: User, email: str) -> None:
    """Send a link to ``email``; it replaces the user's address once followed.

    An address another account already has is not taken: that address is told
    instead, and the page says the same as for any other address, so the form
    cannot be used to find out who has an account.
    """
    from allauth.account.adapter import get_adapter

    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        email_address_current(user=user)
        if email_in_use_by_another(user=user, email=email):
            pending = EmailAddress.objects.get_new(user)
            if pending is not None:
                pending.delete()
            get_adapter(request).send_mail("account/email/email_in_use", email, {})
            return
        EmailAddress.objects.add_new_email(request, user, email)


@transaction.atomic
def email_change_cancel(*, user: User) -> None:
    EmailAddress.objects.filter(user=user, verified=False).delete()


def email_change_confirm(*, request: HttpRequest, email_address: EmailAddress) -> bool:
    """The link sent to a new address was followed: the address replaces the old
    one (allauth's flow, which also tells the old address). Refused, with a
    message, if another account has taken the address meanwhile."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=email_address.user_id)
        if email_in_use_by_another(user=user, email=email_address.email):
            messages.error(
                request,
                "That email address now belongs to another account, so it was not added.",
            )
            return False
        changed = verify_email(request, email_address)
        if changed:
            audit_record(actor=user, action="user.email_change", subject=user)
    return changed
