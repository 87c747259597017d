"""Which engagement messages a user wants, and on which channels: saved from the
settings page, or changed by a stop link (``notifications.stop_links``) with no
sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from audit.services import audit_record
from notifications.models import NotificationPreference, Topic
from notifications.stop_links import Scope

if TYPE_CHECKING:
    from accounts.models import User

# The preference field each stop link's scope turns off.
SCOPE_FIELDS = {
    Topic.NEW_WORK.value: "new_work",
    Topic.REMINDERS.value: "reminders",
    Topic.AWARDS.value: "awards",
    Scope.EMAIL: "engagement_email",
    Scope.SMS: "engagement_sms",
}


@transaction.atomic
def notification_preferences_set(
    *,
    user: User,
    engagement_email: bool,
    engagement_sms: bool,
    new_work: bool = True,
    reminders: bool = True,
    awards: bool = True,
) -> NotificationPreference:
    """Save which topics ``user`` wants engagement messages about, and on which
    channels; applies to every message not yet sent, held ones included
    (message_deliver checks again)."""
    choices = {
        "engagement_email": engagement_email,
        "engagement_sms": engagement_sms,
        "new_work": new_work,
        "reminders": reminders,
        "awards": awards,
    }
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults=choices)
    audit_record(
        actor=user, action="notification_preference.set", subject=preference, changes=choices
    )
    return preference


@transaction.atomic
def notifications_stop(
    *, user: User, scope: str, via: str, resume: bool = False
) -> NotificationPreference | None:
    """Turn off (or, with ``resume``, on again) what a stop link names for ``user``,
    at once: one topic on every channel, or every engagement message on one channel.
    ``via`` says how ("link", "one-click" from a mail client, "undo") for the audit
    entry. Returns the preference, None if nothing changed (already so, or a
    closed account, which is sent nothing anyway and keeps nothing new)."""
    field = SCOPE_FIELDS[scope]
    if user.closed_at is not None or not user.is_active:
        return None
    # A first saved choice starts from what the settings page showed until now:
    # every channel the user has an address for.
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        user=user,
        defaults={"engagement_email": bool(user.email), "engagement_sms": bool(user.mobile)},
    )
    wanted = resume
    if getattr(preference, field) == wanted:
        return None
    setattr(preference, field, wanted)
    preference.save(update_fields=[field, "updated_at"])
    audit_record(
        actor=user,
        action="notification_preference.resume" if resume else "notification_preference.stop",
        subject=preference,
        changes={field: wanted, "via": via},
    )
    return preference
