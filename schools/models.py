from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from accounts.lookup import upn_lookup_hash
from accounts.names import full_name
from schools.phones import uk_phone_format

MODERATION_HELP = (
    "When on, a family's new comment or photo waits under Feedback to approve until a "
    "teacher or admin approves it, and appears on the class's feedback pages only then. "
    "Ratings need no approval. Turning this off shares anything still waiting."
)


def validate_uk_phone(value: str) -> None:
    try:
        uk_phone_format(value)
    except ValueError as error:
        raise ValidationError("Enter a UK phone number, like 020 7946 0123.") from error


class School(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        PARTNER = "partner", "Partner organisation"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        OFFBOARDED = "offboarded", "Offboarded"

    name = models.CharField(max_length=200)
    urn = models.CharField(
        "URN",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{6,8}$", "A URN is six to eight digits.")],
        help_text="The school's unique reference number.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SCHOOL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    moderate_feedback = models.BooleanField(
        "check families' comments and photos first",
        default=False,
        help_text=MODERATION_HELP,
    )
    parent_facing_name = models.CharField(
        "name parents see",
        max_length=200,
        blank=True,
        help_text="How parents know the school, if not by its full name. Leave blank to use "
        "the full name.",
    )
    contact_email = models.EmailField(
        "contact email for parents",
        blank=True,
        help_text="Shown to parents on the Help page.",
    )
    contact_phone = models.CharField(
        "contact phone for parents",
        max_length=20,
        blank=True,
        validators=[validate_uk_phone],
        help_text="A UK number, shown to parents on the Help page.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("offboard_school", "Can take a school off the portal (offboarding)")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["school", "partner"]), name="school_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "offboarded"]),
                name="school_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_new_data(self) -> bool:
        """An offboarded school has left the portal: nothing new is taken for it."""
        return self.status == self.Status.ACTIVE

    @property
    def name_for_parents(self) -> str:
        """The school's name wherever parents see it."""
        return self.parent_facing_name or self.name


class YearGroup(models.IntegerChoices):
    NURSERY = -1, "Nursery"
    RECEPTION = 0, "Reception"
    Y1 = 1, "Year 1"
    Y2 = 2, "Year 2"
    Y3 = 3, "Year 3"
    Y4 = 4, "Year 4"
    Y5 = 5, "Year 5"
    Y6 = 6, "Year 6"
    Y7 = 7, "Year 7"
    Y8 = 8, "Year 8"
    Y9 = 9, "Year 9"
    Y10 = 10, "Year 10"
    Y11 = 11, "Year 11"
    Y12 = 12, "Year 12"
    Y13 = 13, "Year 13"


def current_academic_year() -> int:
    """The calendar year in which the current academic year starts (September)."""
    from django.utils import timezone

    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=100)
    year_group = models.SmallIntegerField(choices=YearGroup.choices, null=True, blank=True)
    academic_year = models.PositiveSmallIntegerField(
        default=current_academic_year, help_text="The year the academic year starts."
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="classes_taught", blank=True
    )

    class Meta:
        ordering = ["year_group", "name"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "name"], name="class_name_unique_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(year_group__gte=-1, year_group__lte=13)
                | models.Q(year_group__isnull=True),
                name="class_year_group_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


ANONYMISED_NAME = "Anonymised pupil"


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name="class",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    upn = models.CharField("UPN", max_length=13, blank=True)
    # NULL once anonymised, so the per-school uniqueness ignores anonymised pupils.
    upn_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    year_group = models.SmallIntegerField(choices=YearGroup.choices, null=True, blank=True)
    pupil_premium = models.BooleanField(default=False)
    removed_by_school_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn_hash"],
                condition=models.Q(upn_hash__isnull=False),
                name="pupil_upn_unique_per_school",
                violation_error_message="A pupil with this UPN is already at this school.",
            ),
            models.CheckConstraint(
                condition=models.Q(year_group__gte=-1, year_group__lte=13)
                | models.Q(year_group__isnull=True),
                name="pupil_year_group_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(anonymised_at__isnull=True)
                | models.Q(upn="", upn_hash__isnull=True),
                name="pupil_anonymised_has_no_upn",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "removed_by_school_at"], name="pupil_school_removed_idx"
            ),
            models.Index(
                fields=["school", "last_name", "first_name"], name="pupil_school_name_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.upn_hash = upn_lookup_hash(self.upn) if self.upn else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "upn" in update_fields:
            kwargs["update_fields"] = {*update_fields, "upn_hash"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """The pupil's name; an anonymised pupil, whose name is gone, is never blank.
        (A query that loads only the names has left anonymised pupils out already.)"""
        if "anonymised_at" not in self.get_deferred_fields() and self.anonymised_at is not None:
            return ANONYMISED_NAME
        return full_name(self.first_name, self.last_name)

    @property
    def on_roll(self) -> bool:
        return self.removed_by_school_at is None


class Guardianship(models.Model):
    """A parent or carer of a pupil.

    Rows created by a roster import are unconfirmed: the parent sees the child
    only once they have accepted the school's invitation (``confirmed_at``).
    """

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardianships")
    relationship = models.CharField(max_length=60, blank=True)
    parental_responsibility = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "pupil"], name="guardianship_unique"),
        ]
        indexes = [
            models.Index(fields=["pupil", "ended_at"], name="guardianship_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.pupil}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.ended_at is None


class RosterImport(models.Model):
    """A roster file uploaded by a school admin: checked (dry run), then applied once.

    The file's content is personal data: it is kept only until the import is applied
    (or fails), so that the admin applies exactly the file they checked.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked, ready to apply"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        INVALID = "invalid", "Could not be read"
        FAILED = "failed", "Failed"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roster_imports",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(blank=True, default=b"")
    remove_missing = models.BooleanField(
        default=False, help_text="Mark pupils on roll who are absent from the file as removed."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    file_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["checking", "checked", "applying", "applied", "invalid", "failed"]
                ),
                name="roster_import_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="roster_import_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.APPLYING}
