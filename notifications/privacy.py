"""The personal data notifications hold: every email and text sent (or waiting)
and a user's preferences (kinds of news and channels)."""

from django.db.models import Q

from notifications.models import Message, NotificationPreference
from privacy.registry import USER, DataCategory, erase_grouped, iso, register


def _to(user) -> Q:
    """Messages to the account, and those sent to its email or mobile before it
    existed (an invitation, a claim code)."""
    query = Q(recipient=user)
    if user.email:
        query |= Q(to_address__iexact=user.email)
    if user.mobile:
        query |= Q(to_address=user.mobile)
    return query


@register
class MessageCategory(DataCategory):
    """Erasure deletes the messages, pending ones included: delivery skips a row
    that no longer exists."""

    name = "messages"
    description = "Emails and texts to a person: address, subject, body, status, dates."
    models = ("notifications.Message",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {
                "channel": row.channel,
                "kind": row.kind,
                "to_address": row.to_address,
                "subject": row.subject,
                "body_text": row.body_text,
                "status": row.status,
                "created_at": iso(row.created_at),
                "sent_at": iso(row.sent_at),
            }
            for row in Message.objects.filter(_to(user)).order_by("pk")
        ]

    def erase_user(self, user):
        return Message.objects.filter(_to(user)).delete()[0]


@register
class NotificationPreferenceCategory(DataCategory):
    name = "notification_preferences"
    description = (
        "Which engagement messages a user wants (new work, reminders, awards) and on "
        "which channels."
    )
    models = ("notifications.NotificationPreference",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {
                "engagement_email": row.engagement_email,
                "engagement_sms": row.engagement_sms,
                "new_work": row.new_work,
                "reminders": row.reminders,
                "awards": row.awards,
                "updated_at": iso(row.updated_at),
            }
            for row in NotificationPreference.objects.filter(user=user)
        ]

    def erase_user(self, user):
        return NotificationPreference.objects.filter(user=user).delete()[0]

    def erase_users(self, users):
        rows = NotificationPreference.objects.all()
        return erase_grouped(rows, "user", users, lambda rows: rows.delete())
