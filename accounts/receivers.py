"""Every session a user signs in to is remembered (allauth's UserSession), so that
"sign out everywhere else" can end it: allauth's own sign-in does this, and this
receiver covers sign-ins through Django's ``login`` too (accepting an invitation).
Connected in AccountsConfig.ready."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.clients import client_ip

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="accounts.session_track")
def session_track(sender, request, user, **kwargs) -> None:
    from accounts.services import user_session_track

    if request is None or not hasattr(request, "session") or client_ip(request) is None:
        return
    try:
        with transaction.atomic():
            user_session_track(request=request)
    except Exception:
        # A sign-in never fails because its session could not be listed.
        logger.exception("Could not remember the session of user %s", user.pk)
