"""A user changing their own name, and ending their other sessions."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.db import transaction

from accounts.models import User
from audit.models import SecurityEvent
from audit.services import audit_record, security_event_record


@transaction.atomic
def user_name_change(*, user: User, first_name: str, last_name: str) -> User:
    """The name staff and the school see for this account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = [
        field
        for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip()))
        if getattr(user, field) != value
    ]
    if changed:
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        user.save(update_fields=changed)
        audit_record(actor=user, action="user.rename", subject=user, changes={"fields": changed})
    return user


def user_session_track(*, request) -> None:
    """Remember that this session belongs to the signed-in user, so that it can
    be ended from another device ("sign out everywhere else")."""
    if request.user.is_authenticated and hasattr(request, "session"):
        UserSession.objects.create_from_request(request)


@transaction.atomic
def sessions_end_others(*, user: User, current_session_key: str | None) -> int:
    """Sign the user out of every session but this one; returns how many ended."""
    others = list(UserSession.objects.filter(user=user).exclude(session_key=current_session_key))
    for session in others:
        session.end()
    audit_record(
        actor=user, action="user.sessions_end", subject=user, changes={"sessions": len(others)}
    )
    security_event_record(
        kind=SecurityEvent.Kind.SIGN_OUT,
        user=user,
        details={"other_sessions_ended": len(others)},
    )
    return len(others)
