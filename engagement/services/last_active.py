"""When a user was last active (``User.last_active_at``), kept current cheaply.

The inactivity rules read it, so it must follow the user's visits, but writing it
on every request would make every page a write. It is written at most once per
user every ``LAST_ACTIVE_UPDATE_MINUTES`` (default 5): within that span a request
costs no query at all (the value is already on the signed-in user), and after it
one ``UPDATE ... WHERE last_active_at < cutoff``, so two requests at once write
it once and nothing is read and written back. Never written for an account whose
processing is restricted. Staff accounts are kept current too: the value says
when anyone last used the portal, and only parents' is used for inactivity.

Being active ends an inactive spell: the same UPDATE clears any closure notice
(``User.closure_notice_at``), and a notice message not sent yet is taken back
(``accounts.services.closure_notice_messages_cancel``), at no cost to accounts
without a notice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import closure_notice_messages_cancel


def last_active_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LAST_ACTIVE_UPDATE_MINUTES)


def last_active_update(*, user: User, now: datetime.datetime | None = None) -> bool:
    """Note that ``user`` is active now, unless that was noted within the window.
    Returns whether the database was written."""
    if user.processing_restricted:
        return False
    now = now or timezone.now()
    cutoff = now - last_active_window()
    if user.last_active_at is not None and user.last_active_at > cutoff:
        return False
    written = (
        User.objects.filter(pk=user.pk, processing_restricted=False)
        .filter(Q(last_active_at__isnull=True) | Q(last_active_at__lte=cutoff))
        .update(last_active_at=now, closure_notice_at=None)
    )
    # Whether this request wrote it or another one just did, it is current now.
    user.last_active_at = now
    if written and user.closure_notice_at is not None:
        user.closure_notice_at = None
        closure_notice_messages_cancel(user=user)
    return bool(written)
