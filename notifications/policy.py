"""Which engagement messages go, on which channel, and when.

Service messages (invitations, account and security notices) always go, and
legal notices (a breach affecting the person's data) go even to a closed or
restricted account; engagement messages (new topic, reminder, award) follow the
recipient's preferences (``NotificationPreference``: the topics they want, on
the channels they want; each engagement template has one topic,
``ENGAGEMENT_TOPICS``) and never arrive by
SMS during quiet hours (``settings.QUIET_HOURS``, in the schools' local time
``settings.TIME_ZONE``): one queued then is held until the quiet hours end. No
message of any kind goes by SMS while SMS is disabled
(``notifications.sms.DisabledSmsBackend``): the outbox writes none. The outbox
(``notifications.services``) applies these rules; callers do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import Message, NotificationPreference, Topic
from notifications.sms import sms_available

# The topic of each engagement message's template: what "stop emails about this"
# stops. An engagement message from a template not listed here is refused.
ENGAGEMENT_TOPICS = {
    "assignment_started": Topic.NEW_WORK,
    "assignment_reminder": Topic.REMINDERS,
    "engagement_nudge": Topic.REMINDERS,
    "award": Topic.AWARDS,
}


def channel_available(channel: str) -> bool:
    """Whether anything can go on ``channel``: SMS is unavailable everywhere while
    ``settings.SMS_BACKEND`` is ``notifications.sms.DisabledSmsBackend``."""
    return channel != Message.Channel.SMS or sms_available()


def follows_preferences(*, kind: str) -> bool:
    return kind == Message.Kind.ENGAGEMENT


def topic_of(template: str) -> Topic:
    """The topic of an engagement message written from ``template``; ValueError
    for a template that has none (it could not be stopped on its own)."""
    try:
        return ENGAGEMENT_TOPICS[template]
    except KeyError:
        raise ValueError(f"The engagement template {template!r} has no topic.") from None


def preference_allows(
    *, preference: NotificationPreference | None, kind: str, channel: str, template: str
) -> bool:
    """Whether a message of ``kind`` from ``template`` may go on ``channel`` to a user
    with ``preference`` (None: no choice saved, so the defaults: every topic, on
    every channel with an address)."""
    if not follows_preferences(kind=kind) or preference is None:
        return True
    return preference.wants(channel) and preference.wants_topic(topic_of(template))


def preferences_of(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """The saved preferences of these users by user id, in one query (none for no ids)."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    return {
        preference.user_id: preference
        for preference in NotificationPreference.objects.filter(user_id__in=user_ids)
    }


def quiet_hours_end(at: datetime) -> datetime | None:
    """The end of the quiet hours ``at`` falls in (an aware datetime), or None when
    ``at`` is outside them.

    Worked in local wall-clock time, so the hold ends at 08:00 whether the night
    had a clock change or not.
    """
    if not settings.QUIET_HOURS:
        return None
    start, end = settings.QUIET_HOURS
    zone = timezone.get_default_timezone()
    local = at.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start <= end:
        inside, ends_tomorrow = start <= clock < end, False
    else:  # across midnight, e.g. 20:00 to 08:00
        inside, ends_tomorrow = (clock >= start or clock < end), clock >= start
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if ends_tomorrow else local.date()
    return datetime.combine(day, end, tzinfo=zone)


def held_until(*, kind: str, channel: str, at: datetime) -> datetime | None:
    """When a message of ``kind`` on ``channel`` queued ``at`` may first be sent;
    None if at once."""
    if kind != Message.Kind.ENGAGEMENT or channel != Message.Channel.SMS:
        return None
    return quiet_hours_end(at)
