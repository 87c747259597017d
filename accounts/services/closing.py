"""Closing an account, and restoring one within the hold period.

Closing takes effect at once: the account can no longer sign in (``is_active``
false, which Django's backends refuse both at sign-in and on every request made
with an existing session), every session it holds ends, and every message still
waiting for it is cancelled (the outbox sends nothing to a closed account). Its
data is then held for ``CLOSED_ACCOUNT_HOLD_DAYS`` — during which platform staff
can restore it at the person's request — and deleted by the retention task after
``delete_after``. Children's data stays with their school throughout.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record

CLOSED_ACCOUNT_HOLD_DAYS = 90

# Why an account was closed, as its audit entry records it.
OWN_REQUEST = "own_request"
INACTIVE = "inactive"
SCHOOL_OFFBOARDED = "school_offboarded"
STAFF_ON_REQUEST = "staff_on_request"


class ClosingError(Exception):
    """The account cannot be closed or restored as asked; the message says why."""


def _sessions_end(user: User) -> int:
    """End every session allauth tracks for ``user`` (their rows in the shared
    session store go, so every web process signs the account out). A session it
    did not track is useless too: Django's backend refuses an inactive user on
    every request."""
    tracked = list(UserSession.objects.filter(user=user))
    for session in tracked:
        session.end()
    return len(tracked)


@transaction.atomic
def account_close(
    *, user: User, actor: User | None, reason: str, now: datetime | None = None
) -> bool:
    """Close ``user``'s account; returns False when it was already closed.

    ``reason`` says why, for the audit trail: ``"own_request"``, ``"inactive"``,
    ``"school_offboarded"`` or ``"staff_on_request"``. ``actor`` is the person
    themselves, staff acting on their request, or None for the retention task.
    """
    from notifications.services import message_cancel_pending

    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.closed_at is not None:
        return False
    user.closed_at = now
    user.delete_after = now + timedelta(days=CLOSED_ACCOUNT_HOLD_DAYS)
    user.is_active = False
    user.save(update_fields=["closed_at", "delete_after", "is_active"])
    cancelled = message_cancel_pending(recipient=user)
    sessions = _sessions_end(user)
    audit_record(
        actor=actor,
        action="user.close",
        subject=user,
        changes={
            "reason": reason,
            "delete_after": user.delete_after,
            "messages_cancelled": cancelled,
            "sessions_ended": sessions,
        },
    )
    return True


@transaction.atomic
def accounts_close(
    *, users, actor: User | None, reason: str, now: datetime | None = None
) -> list[User]:
    """``account_close`` for several accounts at once, with the same audit entry
    for each; returns those closed now (one already closed is left as it is)."""
    from notifications.services import messages_cancel_pending

    now = now or timezone.now()
    rows = User.objects.select_for_update().filter(pk__in=[user.pk for user in users])
    closing = list(rows.filter(closed_at__isnull=True).order_by("pk"))
    if not closing:
        return []
    delete_after = now + timedelta(days=CLOSED_ACCOUNT_HOLD_DAYS)
    User.objects.filter(pk__in=[user.pk for user in closing]).update(
        closed_at=now, delete_after=delete_after, is_active=False
    )
    cancelled = messages_cancel_pending(recipients=closing)
    sessions: dict[int, int] = {}
    for session in UserSession.objects.filter(user__in=closing):
        session.end()
        sessions[session.user_id] = sessions.get(session.user_id, 0) + 1
    for user in closing:
        user.closed_at, user.delete_after, user.is_active = now, delete_after, False
        audit_record(
            actor=actor,
            action="user.close",
            subject=user,
            changes={
                "reason": reason,
                "delete_after": delete_after,
                "messages_cancelled": cancelled.get(user.pk, 0),
                "sessions_ended": sessions.get(user.pk, 0),
            },
        )
    return closing


def restore_refusal(*, user: User, now: datetime | None = None) -> str:
    """Why ``user``'s account cannot be restored now ("" when it can): it is open,
    its hold has ended, or its personal data is already deleted."""
    now = now or timezone.now()
    if user.closed_at is None:
        return "This account is not closed."
    if not user.first_name and not user.email and not user.mobile:
        return "This account's personal data has been deleted: it can no longer be restored."
    if user.delete_after is not None and user.delete_after <= now:
        return (
            "This account's 90 days on hold have ended and its data is being deleted: "
            "it can no longer be restored."
        )
    return ""


@transaction.atomic
def account_restore(*, user: User, actor: User) -> None:
    """Reopen a closed account within its hold period, at the person's request.

    The person signs in again with their old password (or resets it); their
    inactive spell starts again from now. Raises
    ClosingError saying why when it cannot be restored (``restore_refusal``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    refusal = restore_refusal(user=user)
    if refusal:
        raise ClosingError(refusal)
    closed_at = user.closed_at
    user.closed_at = None
    user.delete_after = None
    user.is_active = True
    # Asking for it back counts as using it: an account closed for inactivity is
    # not closed again for the same idle spell before its holder signs in.
    user.last_active_at = timezone.now()
    user.save(update_fields=["closed_at", "delete_after", "is_active", "last_active_at"])
    audit_record(actor=actor, action="user.restore", subject=user, changes={"closed_at": closed_at})
