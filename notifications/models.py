from django.conf import settings
from django.db import models


class Message(models.Model):
    """One email or SMS in the outbox.

    Written in the same transaction as the change that causes it and sent by a
    Celery task after commit; only a still-pending message is ever sent.

    ``reference`` names what caused the message (``"invitation:42"``) without this
    app knowing that model: the app that queued it reads it back when the
    message's status changes (``notifications.signals.message_status_changed``).
    A provider's delivery receipt can move a sent message on to delivered, bounced
    or failed.

    A transient failure is tried again at ``next_attempt_at``, following
    ``settings.MESSAGE_RETRY_DELAYS``, until ``MESSAGE_MAX_ATTEMPTS`` have failed;
    then the message is failed (``failed_at``) until staff retry it.

    An engagement SMS queued during quiet hours carries ``not_before`` (the end of
    the quiet hours): it is not sent, nor enqueued again as stale, before then.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        ENGAGEMENT = "engagement", "Engagement"
        # A notice the law requires the portal to give (a personal data breach
        # affecting the person's data): it reaches closed and restricted accounts.
        LEGAL = "legal", "Legal notice"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    to_address = models.CharField(max_length=254, help_text="The email address or E.164 mobile")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    provider_id = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text='What caused the message, as "<kind>:<primary key>", e.g. "invitation:42"',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a transient failure is tried again"
    )
    failed_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Held until then (an SMS queued during quiet hours)"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="message_status_created_idx"),
            models.Index(fields=["recipient", "status"], name="message_recipient_status_idx"),
            models.Index(fields=["reference"], name="message_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} #{self.pk} ({self.status})"


class Topic(models.TextChoices):
    """What an engagement message is about; a parent can stop each one."""

    NEW_WORK = "new_work", "new work from the teacher"
    REMINDERS = "reminders", "reminders about work"
    AWARDS = "awards", "awards"


class NotificationPreference(models.Model):
    """Which engagement messages a user wants (new topics, reminders, awards), and
    on which channels.

    An engagement message goes when both its topic and its channel are on. No row
    means the defaults: every topic, on every channel the user has an address for
    (email if they have an email address, SMS if they have a mobile), since
    callers queue one message per channel with an address. Service messages
    (invitations, account and security notices) ignore these choices.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    engagement_email = models.BooleanField("email", default=True)
    engagement_sms = models.BooleanField("text message (SMS)", default=True)
    new_work = models.BooleanField(Topic.NEW_WORK.label, default=True)
    reminders = models.BooleanField(Topic.REMINDERS.label, default=True)
    awards = models.BooleanField(Topic.AWARDS.label, default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of user {self.user_id}"

    def wants(self, channel: str) -> bool:
        """Whether engagement messages may go on ``channel``."""
        if channel == Message.Channel.EMAIL:
            return self.engagement_email
        if channel == Message.Channel.SMS:
            return self.engagement_sms
        return False

    def wants_topic(self, topic: str) -> bool:
        """Whether engagement messages about ``topic`` (a ``Topic``) may go."""
        return getattr(self, Topic(topic).value)
