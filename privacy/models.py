"""What the privacy app itself records: the requests people make about their data.

The registry of personal data (``privacy.registry``) holds no rows; these models
hold the work staff do on people's requests, each step audited by the services
in ``privacy/services``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

REQUEST_DAYS = 30


class PrivacyRequest(models.Model):
    """A person's request about their data, due ``REQUEST_DAYS`` after it came in."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access (a copy of the data)"
        ERASURE = "erasure", "Erasure"
        RESTRICTION = "restriction", "Restriction"
        RECTIFICATION = "rectification", "Rectification (correcting data)"
        OBJECTION = "objection", "Objection"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # Who asked, and about whom: a parent about themselves or their child, or
    # staff recording a request made to the school by letter or in person.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests_made",
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests_about",
    )
    subject_pupil = models.ForeignKey(
        "schools.Pupil",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
    )
    # The school whose admins handle it; none for requests only platform staff see.
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="privacy_requests",
    )
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    details = models.TextField(blank=True, help_text="What was asked for, in the person's words.")
    outcome = models.TextField(blank=True, help_text="What was done, or why it was refused.")
    closed_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="privacy_request_due_idx"),
            models.Index(fields=["school", "status"], name="privacy_request_school_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["access", "erasure", "restriction", "rectification", "objection"]
                ),
                name="privacy_request_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "in_progress", "done", "refused"]),
                name="privacy_request_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request #{self.pk}"

    def save(self, *args, **kwargs):
        if self.due_at is None:
            self.due_at = self.received_at + timedelta(days=REQUEST_DAYS)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.IN_PROGRESS}


class RetentionRun(models.Model):
    """One run of the daily retention task (``privacy.services.retention``).

    Counts only, per step, never who: the accounts and pupils each step touched are
    in the audit entries of the services it called. A run whose ``finished_at`` is
    empty is still going, or its worker died; ``error`` names what went wrong
    (the step and the kind of failure, never an exception's message, which can
    quote a row). Dry runs change nothing and are not recorded.
    """

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"notices": {"due": 3, "done": 3, "failed": 0}, "closures": {...}, ...}
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-started_at"], name="retention_run_started_idx")]

    def __str__(self) -> str:
        return f"Retention run #{self.pk} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.error
