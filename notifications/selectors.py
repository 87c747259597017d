"""Reads of the outbox."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from notifications.models import Message, NotificationPreference

# A link in a plain-text body runs to the next space; trailing punctuation is prose.
LINK = re.compile(r"https?://[^\s<>\"']+")
TRAILING_PUNCTUATION = ".,;:!?)]}"


@dataclass(frozen=True)
class OutboxEntry:
    message: Message
    links: Sequence[str]


def messages_recent() -> QuerySet[Message]:
    """Every message, newest first, with the fields the outbox page shows."""
    return Message.objects.only(
        "id",
        "channel",
        "kind",
        "template",
        "to_address",
        "subject",
        "body_text",
        "status",
        "created_at",
        "sent_at",
    ).order_by("-created_at", "-pk")


def message_html_of(message_id: int) -> str | None:
    """An email's HTML part as it was sent, or None for no such email."""
    return (
        Message.objects.filter(pk=message_id, channel=Message.Channel.EMAIL)
        .exclude(body_html="")
        .values_list("body_html", flat=True)
        .first()
    )


def links_in(text: str) -> list[str]:
    """The web links in a plain-text message body, in order, each once."""
    links: list[str] = []
    for match in LINK.findall(text):
        link = match.rstrip(TRAILING_PUNCTUATION)
        if link not in links:
            links.append(link)
    return links


def outbox_entries(messages: Sequence[Message]) -> list[OutboxEntry]:
    return [OutboxEntry(message=message, links=links_in(message.body_text)) for message in messages]


@dataclass(frozen=True)
class EngagementChannels:
    """A user's channels for engagement messages, as their settings page shows them.

    ``email`` and ``sms``: whether they get them on that channel; ``new_work``,
    ``reminders`` and ``awards``: whether they get news of that kind. Until they
    save a choice (``saved``) that is every kind, on every channel they have an
    address for.
    """

    email: bool
    sms: bool
    email_address: str
    mobile: str
    saved: bool
    new_work: bool = True
    reminders: bool = True
    awards: bool = True


def engagement_channels_for(*, user) -> EngagementChannels:
    preference = NotificationPreference.objects.filter(user=user).first()
    email_address = user.email or ""
    mobile = user.mobile or ""
    if preference is None:
        return EngagementChannels(
            email=bool(email_address),
            sms=bool(mobile),
            email_address=email_address,
            mobile=mobile,
            saved=False,
        )
    return EngagementChannels(
        email=preference.engagement_email,
        sms=preference.engagement_sms,
        email_address=email_address,
        mobile=mobile,
        saved=True,
        new_work=preference.new_work,
        reminders=preference.reminders,
        awards=preference.awards,
    )


# Messages that left the outbox: sent, then perhaps delivered or bounced.
LEFT_THE_OUTBOX = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.BOUNCED)


def recipients_sent_between(
    *, start: datetime, end: datetime, template: str = "", channel: str = ""
) -> QuerySet:
    """The ids of the accounts sent a message during [start, end), optionally of one
    template or on one channel, as a subquery (``recipient_id`` values)."""
    messages = Message.objects.filter(
        recipient__isnull=False,
        status__in=LEFT_THE_OUTBOX,
        created_at__lt=end,  # a message is written before it is sent: bounds the index scan
        sent_at__gte=start,
        sent_at__lt=end,
    )
    if template:
        messages = messages.filter(template=template)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.values("recipient_id")


def messages_with_reference(*, reference: str, channel: str = "") -> QuerySet[Message]:
    """The messages caused by ``reference`` (``"invitation:42"``), optionally on one
    channel; callers narrow them further (to a recipient, in a subquery)."""
    messages = Message.objects.filter(reference=reference)
    return messages.filter(channel=channel) if channel else messages


def message_templates() -> list[str]:
    """The names of the templates messages are written from, sorted."""
    folder = settings.BASE_DIR / "templates" / "notifications"
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.is_dir() and ((path / "body.txt").exists() or (path / "sms.txt").exists())
    )
