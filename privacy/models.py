"""What the privacy app itself records: the requests people make about their
data, and the breach register.

The registry of personal data (``privacy.registry``) holds no rows; these models
hold the work staff do on people's requests and on incidents, each step audited
by the services in ``privacy/services``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from privacy.deadlines import Deadline

REQUEST_DAYS = 30
# An open request due within this many days is "nearly due" in the queues.
NEARLY_DUE_DAYS = 7


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
        return self.status in OPEN_STATUSES

    def urgency_at(self, now) -> str:
        """ "overdue" (still open after its due date), "nearly_due" (open, due within
        ``NEARLY_DUE_DAYS``), "on_time" (open) or "closed"."""
        if not self.is_open:
            return "closed"
        if self.due_at < now:
            return "overdue"
        if self.due_at <= now + timedelta(days=NEARLY_DUE_DAYS):
            return "nearly_due"
        return "on_time"

    @property
    def urgency(self) -> str:
        return self.urgency_at(timezone.now())

    @property
    def days_left(self) -> int:
        """Days from today to the due date, in UK dates (negative once it has passed)."""
        return (timezone.localdate(self.due_at) - timezone.localdate()).days

    @property
    def days_late(self) -> int:
        return -self.days_left


OPEN_STATUSES = (PrivacyRequest.Status.OPEN, PrivacyRequest.Status.IN_PROGRESS)


# The breach register's deadlines, counted from when the portal became aware.
ICO_REPORT_WITHIN = timedelta(hours=72)
SCHOOLS_TOLD_WITHIN = timedelta(hours=24)
RETROSPECTIVE_WITHIN = timedelta(days=7)


class Incident(models.Model):
    """A personal data breach, from when the portal became aware of it to its close.

    Who is affected is never typed in: the scope (``scope_kind`` and its
    parameters) is a query over the data, worked out by
    ``privacy.selectors.incident_affected``. The texts are written by platform
    staff and must not name families: the notice texts go into the notices'
    fixed frame, word for word, to every school and family affected.
    """

    class ScopeKind(models.TextChoices):
        SCHOOLS = "schools", "Everyone at chosen schools (families and staff)"
        CLASSES = "classes", "The families of chosen classes"
        MESSAGES = "messages", "Everyone sent a message in a time window"
        SIGN_INS = "sign_ins", "Every account that signed in during a time window"

    title = models.CharField(
        max_length=200, help_text="A short name staff know it by. Never a family's name."
    )
    found_at = models.DateTimeField(
        "found at", help_text="When the portal became aware of it: the deadlines count from here."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents_recorded",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    description = models.TextField(
        "what happened", help_text="For staff: what happened, how it was found, what it exposed."
    )
    # Names of privacy.registry categories (privacy.registry.categories()).
    data_categories = models.JSONField("data affected", default=list, blank=True)

    # The scope: one kind, and the parameters that kind reads.
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices, blank=True)
    scope_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="+", verbose_name="schools"
    )
    scope_classes = models.ManyToManyField(
        "schools.SchoolClass", blank=True, related_name="+", verbose_name="classes"
    )
    scope_from = models.DateTimeField("from", null=True, blank=True)
    scope_until = models.DateTimeField("until", null=True, blank=True)
    scope_template = models.CharField("message template", max_length=100, blank=True)
    scope_channel = models.CharField("message channel", max_length=8, blank=True)
    scope_set_at = models.DateTimeField(null=True, blank=True)

    # The notices' own words, inside their fixed frame.
    notice_summary = models.TextField(
        "what happened, for the notices",
        blank=True,
        help_text="In plain words for schools and families: what happened and what it may mean.",
    )
    notice_actions = models.TextField(
        "what we are doing",
        blank=True,
        help_text="What the portal is doing, and what people can do.",
    )
    notice_contact = models.CharField(
        "who to contact",
        max_length=300,
        blank=True,
        help_text="The portal's privacy contact: an email address or phone number.",
    )

    # The report to the Information Commissioner's Office, or the decision not to.
    ico_reported_at = models.DateTimeField("reported to the ICO at", null=True, blank=True)
    ico_reference = models.CharField("ICO reference", max_length=100, blank=True)
    ico_not_reported_at = models.DateTimeField("decided not to report at", null=True, blank=True)
    ico_not_reported_reason = models.TextField("why it is not reported", blank=True)

    schools_notified_at = models.DateTimeField("schools told at", null=True, blank=True)
    school_notices = models.PositiveIntegerField("school notices queued", default=0)
    families_notified_at = models.DateTimeField("families told at", null=True, blank=True)
    family_notices = models.PositiveIntegerField("family notices queued", default=0)

    retrospective = models.TextField(blank=True)
    retrospective_at = models.DateTimeField("retrospective recorded at", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "found_at"], name="incident_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    scope_kind__in=["", "schools", "classes", "messages", "sign_ins"]
                ),
                name="incident_scope_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ico_reported_at__isnull=True)
                | models.Q(ico_not_reported_at__isnull=True),
                name="incident_reported_or_not",
            ),
        ]

    def __str__(self) -> str:
        # No free text: this is what the admin's own log records.
        return f"Incident #{self.pk}"

    @property
    def ico_due_at(self):
        return self.found_at + ICO_REPORT_WITHIN

    @property
    def schools_due_at(self):
        return self.found_at + SCHOOLS_TOLD_WITHIN

    @property
    def retrospective_due_at(self):
        return self.found_at + RETROSPECTIVE_WITHIN

    @property
    def ico_decided_at(self):
        """When the report was made or the decision not to report recorded."""
        return self.ico_reported_at or self.ico_not_reported_at

    def deadlines(self) -> list[Deadline]:
        """Report to the ICO within 72 hours, tell schools within 24, look back within
        7 days. Once the incident is closed, a step it was closed without (no school
        was affected) is not needed."""
        closed = self.closed_at is not None
        return [
            Deadline("Report to the ICO", self.ico_due_at, self.ico_decided_at, closed),
            Deadline(
                "Tell affected schools", self.schools_due_at, self.schools_notified_at, closed
            ),
            Deadline("Retrospective", self.retrospective_due_at, self.retrospective_at, closed),
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


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
