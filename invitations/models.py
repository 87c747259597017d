"""A school's invitation to the parents it imported, by email and SMS.

The table keeps the name it had when invitations lived in ``accounts``
(``accounts_invitation``): the move to this app changed no data.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Invitation(models.Model):
    """A school's invitation to a parent to join, naming one or more of their children.

    Only the SHA-256 of the token is stored; the raw token exists only in the
    link sent to the parent. Single use; expires after INVITATION_VALID_FOR.
    """

    class Channels(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        BOTH = "both", "Email and SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    # An invitation in one of these states can still be accepted (until it expires).
    LIVE_STATUSES = (Status.PENDING, Status.SENT, Status.DELIVERED)

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="invitations"
    )
    pupils = models.ManyToManyField("schools.Pupil", related_name="invitations")
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="The imported parent this invitation is addressed to.",
    )
    contact_name = models.CharField(max_length=301, blank=True)
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")
    channels = models.CharField(max_length=8, choices=Channels.choices, default=Channels.BOTH)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_invitation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "pending",
                        "sent",
                        "delivered",
                        "failed",
                        "bounced",
                        "accepted",
                        "expired",
                        "revoked",
                    ]
                ),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channels__in=["email", "sms", "both"]),
                name="invitation_channels_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"], name="invitation_school_status_idx"),
            # The tracker's order (newest first): its first page of 50 is read from
            # here instead of sorting every invitation of the school.
            models.Index(fields=["school", "-created_at", "-id"], name="invitation_school_new_idx"),
            models.Index(fields=["expires_at"], name="invitation_expires_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} to {self.contact_name or 'a parent'} ({self.status})"

    @property
    def is_usable(self) -> bool:
        """Whether the invitation may still be accepted now."""
        return self.status in self.LIVE_STATUSES and self.expires_at > timezone.now()


class ClaimCode(models.Model):
    """A one-time code sent to an invitation's contact (its email and mobile), so
    that an account whose own email and mobile both differ from the invitation's
    can prove it belongs to the person invited before any child is linked to it.
    A new parent registering through an invitation that holds no email (only a
    mobile) proves the mobile the same way.

    Only a keyed hash of the code is stored (``invitations.tokens.claim_code_digest``).
    A code belongs to one link (``link_hash``, the invitation's token hash when it
    was sent): resending the invitation leaves every earlier code and the count of
    wrong tries behind.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="claim_codes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The signed-in account claiming the invitation; empty for a new parent.",
    )
    # A code works for VALID_FOR; a link allows MAX_TRIES wrong codes in all, and
    # MAX_SENDS codes, before the school must send the invitation again.
    VALID_FOR = timedelta(minutes=15)
    MAX_TRIES = 5
    MAX_SENDS = 5

    link_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Wrong codes tried")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["invitation", "link_hash"], name="claim_code_invitation_link_idx")
        ]

    def __str__(self) -> str:
        return f"Code #{self.pk} for invitation #{self.invitation_id}"
