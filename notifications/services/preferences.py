"""Which channels a user wants engagement messages on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from audit.services import audit_record
from notifications.models import NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def notification_preferences_set(
    *, user: User, engagement_email: bool, engagement_sms: bool
) -> NotificationPreference:
    """Save which channels ``user`` wants engagement messages on; applies to every
    message not yet sent, held ones included (message_deliver checks again)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"engagement_email": engagement_email, "engagement_sms": engagement_sms},
    )
    audit_record(
        actor=user,
        action="notification_preference.set",
        subject=preference,
        changes={"engagement_email": engagement_email, "engagement_sms": engagement_sms},
    )
    return preference
