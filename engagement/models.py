from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    """Something a person did that counts as engagement: append-only.

    ``subject`` names what it was about in the form ``<kind>:<pk>`` (for example
    ``assignment:12``), so reports can count per topic or assignment without a
    foreign key to every kind of thing.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        # Opening a topic set by the school: the child's topic page (``assignment:<pk>``).
        ASSIGNMENT_OPENED = "assignment_opened", "Opened a topic set by the school"
        # Opening an activity's own page: the page that plays its video.
        ACTIVITY_OPENED = "activity_opened", "Opened an activity"
        VIDEO_STARTED = "video_started", "Started a video"
        GAME_OPENED = "game_opened", "Opened a game"
        ACTIVITY_COMPLETED = "activity_completed", "Completed an activity"
        RATED = "rated", "Rated an activity"
        COMMENTED = "commented", "Commented on an activity"
        PHOTO_SHARED = "photo_shared", "Shared a photo"
        # Recorded before ratings, comments and photos were told apart; no longer written.
        FEEDBACK_GIVEN = "feedback_given", "Rated, commented or shared a photo"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="events")
    pupil = models.ForeignKey(
        "schools.Pupil",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["school", "at"], name="event_school_at_idx"),
            models.Index(fields=["actor", "at"], name="event_actor_at_idx"),
            models.Index(fields=["subject", "kind"], name="event_subject_kind_idx"),
            # Openings of a school's work in a period (the admin dashboard's topics by use).
            models.Index(
                fields=["school", "subject", "kind", "at"], name="event_school_subject_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class Nudge(models.Model):
    """A teacher's engagement message to one parent about one assignment.

    At most one per parent and assignment in any 7 days (``NUDGE_INTERVAL``): the
    service checks the rolling week under a lock on the assignment, and the unique
    constraint on the local day stops a double click on any database.
    """

    assignment = models.ForeignKey(
        "learning.Assignment", on_delete=models.CASCADE, related_name="nudges"
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges_received"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(default=timezone.now)
    # The school-local date of ``sent_at``.
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "parent", "sent_on"], name="nudge_once_per_parent_per_day"
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "parent", "sent_at"], name="nudge_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"Nudge about assignment {self.assignment_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class Overview(Event):
    """No data of its own: the platform's engagement totals page in the admin
    (``engagement.admin``) hangs on it, with the permission that opens it."""

    class Meta:
        proxy = True
        verbose_name = "engagement overview"
        verbose_name_plural = "engagement overview"
        default_permissions = ()
        permissions = [("view_engagement_overview", "Can view the engagement overview")]


class EngagementDay(models.Model):
    """A parent did something at a school on a local date (``settings.TIME_ZONE``).

    A summary of ``Event`` kept as events are recorded
    (``engagement.services.summary_record``) and rebuilt from them by
    ``manage.py rebuild_engagement_summary``: reports ask which parents were active
    in a period or a week here, one row per parent and day, instead of reading
    every event.
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="engagement_days"
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="engagement_days"
    )
    day = models.DateField()
    week = models.DateField(help_text="The Monday of the day's week.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "parent", "day"], name="engagement_day_unique"
            ),
        ]
        indexes = [
            # With the day, "which parents were active in these weeks" is read from
            # the index alone.
            models.Index(
                fields=["school", "week", "parent", "day"], name="engagement_day_week_day_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} at {self.school_id} on {self.day}"
