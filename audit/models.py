"""The ground floor: who did what (AuditEntry) and security activity (SecurityEvent).

An AuditEntry is written by the service that makes a change, in the same
transaction, so a change and its record commit or roll back together. Entries
are never deleted by ordinary code: on erasure they will be redacted (personal
data in ``changes`` removed, ``redacted_at`` set), so the school keeps the fact
that something was done.

A SecurityEvent records sign-ins, second factors, password changes and refusals
with the IP address and browser; events are deleted after
``SECURITY_EVENT_RETENTION_DAYS`` by a daily task. Neither model holds a name or
an email: people are linked by id, and an email tried at a failed sign-in is
kept only as a keyed hash.
"""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone


def action_label(action: str) -> str:
    """``invitation.revoke`` → "Invitation: revoke"; ``roster_import.apply`` →
    "Roster import: apply". Derived from the name, so a new action reads sensibly
    without being listed anywhere."""
    noun, _, verb = action.rpartition(".")
    noun = noun.replace(".", " ").replace("_", " ").strip().capitalize()
    verb = verb.replace("_", " ")
    return f"{noun}: {verb}" if noun else verb.capitalize()


class AuditEntry(models.Model):
    """One change made on someone's behalf: ``actor`` did ``action`` to the subject.

    ``actor`` is None for system work (a scheduled task, a management command) and
    once the actor's account is deleted. ``subject_type`` is the subject's model
    label in lower case (``invitations.invitation``) and ``subject_id`` its primary
    key as text, so an entry outlives its subject.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No single-column indexes on actor and school: the composite indexes below
    # lead with them and serve the same look-ups (and ON DELETE SET NULL).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=64, help_text="noun.verb, e.g. invitation.revoke")
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        db_index=False,
    )
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["school", "at"], name="audit_entry_school_at_idx"),
            models.Index(fields=["school", "action", "at"], name="audit_entry_school_action_idx"),
            models.Index(fields=["actor", "at"], name="audit_entry_actor_at_idx"),
            # Erasure finds the entries about a person by their subject.
            models.Index(fields=["subject_type", "subject_id"], name="audit_entry_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def subject_label(self) -> str:
        """The subject's kind and id, e.g. "Invitation #42" ("" without a subject)."""
        if not self.subject_type:
            return ""
        try:
            name = apps.get_model(self.subject_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = self.subject_type.rpartition(".")[2]
        return f"{str(name).capitalize()} #{self.subject_id}"


class SecurityEventKind(models.TextChoices):
    """What happened (``SecurityEvent.Kind``)."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    SECOND_FACTOR_PASSED = "second_factor_passed", "Second factor passed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    DEVICE_ADDED = "device_added", "Authenticator app added"
    DEVICE_REMOVED = "device_removed", "Authenticator app removed"
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated", "New backup codes"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    PUPIL_RECORD_OPENED = "pupil_record_opened", "Pupil record opened"
    ACCESS_REFUSED = "access_refused", "Access refused"


class SecurityEvent(models.Model):
    """A sign-in, second factor, password change, pupil record opened or refusal.

    ``user`` is the account concerned, when known (a failed sign-in for an email
    that has no account has none). ``email_hash`` is set for a failed sign-in: a
    keyed hash of the email tried (``accounts.lookup.email_lookup_hash``), never
    the email. ``details`` holds ids and paths only, never names or emails.
    """

    Kind = SecurityEventKind

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Served by the (user, at) index below.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="security_events",
        db_index=False,
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    email_hash = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SecurityEventKind.values),
                name="security_event_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "at"], name="security_event_user_at_idx"),
            models.Index(fields=["kind", "at"], name="security_event_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
