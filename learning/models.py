"""Learning at home: topics of ordered activities, set for classes, done by families.

- A **Topic** belongs to the library (``school`` is NULL, curated by platform staff)
  or to one school (written by its teachers and admins). It suits a range of year
  groups, ``year_group_min``..``year_group_max`` (``schools.models.YearGroup``), so
  "topics for Year 3" is ``year_group_min <= 3 <= year_group_max`` in SQL.
- An **Activity** is one step of a topic, ordered by ``position`` (unique per topic).
  By kind: a video (a YouTube/Vimeo link *or* an uploaded file), a game (an https
  link) or an activity; ``instructions`` are ``learning.formatting`` text, never HTML.
- An **Assignment** sets a topic for a class between two dates.
- A **Completion** says a pupil did an activity (and which parent said so).
- **Feedback** is one parent's rating, comment and photo on an activity for a
  pupil; whether it may promote the programme follows the parent's consent now.
- An **Award** is earned once per pupil and kind.

Files (uploaded videos, photos) live in the private storage (``learning.files``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from learning.files import activity_video_name, feedback_photo_name, private_storage
from learning.video import parse_video_url, validate_https_url, validate_video_url
from schools.models import YearGroup


class Subject(models.TextChoices):
    ENGLISH = "english", "English"
    PHONICS = "phonics", "Phonics and early reading"
    MATHS = "maths", "Maths"
    SCIENCE = "science", "Science"
    HISTORY = "history", "History"
    GEOGRAPHY = "geography", "Geography"
    ART = "art", "Art and design"
    DESIGN_TECHNOLOGY = "design_technology", "Design and technology"
    MUSIC = "music", "Music"
    PHYSICAL = "physical", "PE and being active"
    PSHE = "pshe", "PSHE and wellbeing"
    COMPUTING = "computing", "Computing"
    LANGUAGES = "languages", "Languages"
    RELIGIOUS_EDUCATION = "religious_education", "Religious education"
    OTHER = "other", "Other"


class Topic(models.Model):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        help_text="Empty for a library topic, which every school can use.",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=1000)
    subject = models.CharField(max_length=32, choices=Subject.choices)
    year_group_min = models.SmallIntegerField(
        "from year group", choices=YearGroup.choices, default=YearGroup.RECEPTION
    )
    year_group_max = models.SmallIntegerField(
        "to year group", choices=YearGroup.choices, default=YearGroup.Y6
    )
    published = models.BooleanField(
        default=False, help_text="Only a published topic can be set for a class."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__in=Subject.values), name="topic_subject_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(year_group_min__gte=-1, year_group_max__lte=13)
                & models.Q(year_group_min__lte=models.F("year_group_max")),
                name="topic_year_groups_valid",
                violation_error_message="The first year group must not come after the last.",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "published", "title"], name="topic_school_idx"),
            models.Index(
                fields=["subject", "year_group_min", "year_group_max"], name="topic_filter_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def in_library(self) -> bool:
        return self.school_id is None

    @property
    def year_groups_display(self) -> str:
        low = YearGroup(self.year_group_min).label
        if self.year_group_min == self.year_group_max:
            return low
        return f"{low} to {YearGroup(self.year_group_max).label}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        GAME = "game", "Game"
        ACTIVITY = "activity", "Activity"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ACTIVITY)
    title = models.CharField(max_length=200)
    instructions = models.TextField(
        blank=True,
        max_length=5000,
        help_text="Plain text with simple formatting (see the hint on the form); never HTML.",
    )
    video_url = models.URLField(
        "video address",
        blank=True,
        max_length=500,
        validators=[validate_video_url],
        help_text="A YouTube or Vimeo address; played through their privacy-enhanced players.",
    )
    video_file = models.FileField(
        "video file",
        blank=True,
        max_length=200,
        storage=private_storage,
        upload_to=activity_video_name,
    )
    game_url = models.URLField(
        "game address", blank=True, max_length=500, validators=[validate_https_url]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "position"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "position"], name="activity_position_unique_per_topic"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["video", "game", "activity"]),
                name="activity_kind_valid",
            ),
            # A video has exactly one source and no game; a game has a link and no
            # video; an activity is instructions only.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="video", game_url="")
                    & (
                        (models.Q(video_url="") & ~models.Q(video_file=""))
                        | (models.Q(video_file="") & ~models.Q(video_url=""))
                    )
                )
                | (models.Q(kind="game", video_url="", video_file="") & ~models.Q(game_url=""))
                | models.Q(kind="activity", video_url="", video_file="", game_url=""),
                name="activity_content_matches_kind",
                violation_error_message=(
                    "A video needs one video address or file, a game needs its address, "
                    "and an activity has neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """Say, field by field, what the kind needs (the CHECK constraint says it as a whole)."""
        errors = {}
        if self.kind == self.Kind.VIDEO:
            if not self.video_url and not self.video_file:
                errors["video_url"] = "Give the video's YouTube or Vimeo address, or upload it."
            elif self.video_url and self.video_file:
                errors["video_url"] = "Give a video address or a video file, not both."
        elif self.video_url or self.video_file:
            errors["video_url"] = "Only a video has a video address or file."
        if self.kind == self.Kind.GAME:
            if not self.game_url:
                errors["game_url"] = "Give the game's address."
        elif self.game_url:
            errors["game_url"] = "Only a game has a game address."
        if errors:
            raise ValidationError(errors)

    @property
    def video_link(self):
        """The parsed YouTube/Vimeo link (``learning.video.VideoLink``), or None."""
        return parse_video_url(self.video_url) if self.video_url else None


class Assignment(models.Model):
    """A topic set for a class, open from ``starts_on`` to ``due_on`` (inclusive)."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="assignments")
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name="class",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField()
    due_on = models.DateField()
    message = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    start_notified_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="assignment_due_not_before_start",
                violation_error_message="The due date must not be before the start date.",
            ),
            # Setting the same topic for the same class from the same day twice is a
            # double submission, not a second piece of work.
            models.UniqueConstraint(
                fields=["school_class", "topic", "starts_on"],
                name="assignment_unique_per_class_and_start",
                violation_error_message="This topic is already set for this class from that day.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school_class", "starts_on", "due_on"], name="assignment_class_idx"
            ),
            models.Index(
                fields=["starts_on"],
                condition=models.Q(start_notified_at__isnull=True),
                name="assignment_to_notify_idx",
            ),
            models.Index(
                fields=["due_on"],
                condition=models.Q(reminder_sent_at__isnull=True),
                name="assignment_to_remind_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} for {self.school_class}"


class Completion(models.Model):
    """A pupil did an activity: recorded once, whoever of their parents said so."""

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.CASCADE, related_name="completions")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="completions")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "activity"], name="completion_unique_per_pupil_activity"
            ),
        ]
        indexes = [
            models.Index(fields=["pupil", "completed_at"], name="completion_pupil_idx"),
            models.Index(fields=["completed_at"], name="completion_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} did {self.activity}"


class Feedback(models.Model):
    """One parent's rating, comment and photo on an activity done with one child.

    A parent has at most one live (not removed) feedback per child and activity.
    Where the school moderates feedback, staff other than the author see the
    comment and photo only once approved; a rejected or removed one is seen by
    nobody but the author's own record.
    """

    class Moderation(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.CASCADE, related_name="feedback")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="feedback")
    # NULL once the parent's account is erased: the rating stays, without identity.
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    photo = models.FileField(
        blank=True, max_length=200, storage=private_storage, upload_to=feedback_photo_name
    )
    moderation_status = models.CharField(
        max_length=16, choices=Moderation.choices, default=Moderation.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message="A rating is from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=models.Q(moderation_status__in=["pending", "approved", "rejected"]),
                name="feedback_moderation_status_valid",
            ),
            models.UniqueConstraint(
                fields=["pupil", "activity", "parent"],
                condition=models.Q(removed_at__isnull=True),
                name="feedback_one_live_per_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "created_at"], name="feedback_activity_idx"),
            models.Index(fields=["pupil", "activity"], name="feedback_pupil_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(moderation_status="pending", removed_at__isnull=True),
                name="feedback_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.activity} for {self.pupil}"


class Award(models.Model):
    """Earned once per pupil and kind, by rules in code; the parent is told once."""

    class Kind(models.TextChoices):
        FIRST_ACTIVITY = "first_activity", "First activity"
        FIVE_ACTIVITIES = "five_activities", "Five activities"
        TOPIC_COMPLETED = "topic_completed", "A whole topic"
        THREE_WEEKS = "three_weeks", "Three weeks in a row"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.CASCADE, related_name="awards")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    earned_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["earned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "kind"], name="award_once_per_pupil"),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["first_activity", "five_activities", "topic_completed", "three_weeks"]
                ),
                name="award_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pupil}"
