"""Every session a user signs in to is remembered (allauth's UserSession), so that
"sign out everywhere else" can end it: allauth's own sign-in does this, and this
receiver covers sign-ins through Django's ``login`` too (accepting an invitation).
After a password change (which gives the session a new key) the session is
remembered again under its new key: the same receiver replaces allauth's own,
which fails on a request without a session. Connected in AccountsConfig.ready."""

from __future__ import annotations

import logging

from allauth.account.signals import password_changed, password_set
from allauth.usersessions import signals as usersessions_signals
from django.contrib.auth.signals import user_logged_in
from django.db import transaction

from accounts.clients import client_ip

logger = logging.getLogger(__name__)


def session_track(sender, request, user, **kwargs) -> None:
    from accounts.services import user_session_track

    if (
        request is None
        or not getattr(getattr(request, "user", None), "is_authenticated", False)
        or not hasattr(request, "session")
        or client_ip(request) is None
    ):
        return
    try:
        with transaction.atomic():
            user_session_track(request=request)
    except Exception:
        # A sign-in never fails because its session could not be listed.
        logger.exception("Could not remember the session of user %s", user.pk)


def connect() -> None:
    user_logged_in.connect(session_track, dispatch_uid="accounts.session_track")
    for signal in (password_set, password_changed):
        signal.disconnect(receiver=usersessions_signals.on_password_changed)
        signal.connect(session_track, dispatch_uid="accounts.session_track_password")
