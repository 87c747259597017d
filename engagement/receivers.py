"""Engagement from Django's signals: signing in.

Connected in EngagementConfig.ready. A failure here is logged and undone (a
savepoint), never passed on: a sign-in must not fail because it could not be
counted.
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.services import closure_notice_cancel
from engagement.services import last_active_update, sign_in_record

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="engagement.sign_in")
def sign_in(sender, request, user, **kwargs) -> None:
    """A parent signed in (``sign_in_record``); anyone signing in is active now,
    which takes back a closure notice even within the span in which
    ``last_active_update`` writes nothing."""
    try:
        with transaction.atomic():
            sign_in_record(user=user)
            last_active_update(user=user)
            if user.closure_notice_at is not None:
                closure_notice_cancel(user=user)
    except Exception:
        logger.exception("Could not record a sign-in as engagement")
