"""Reads of what families did and said, for staff: an assignment's completions,
ratings, comments and photos, and what waits for approval."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from accounts import access
from learning.models import Activity, Assignment, Completion, Feedback


def feedback_shared_with_school() -> Q:
    """Live feedback whose comment and photo the school's staff may read: approved,
    or (at a school that does not moderate) not moderated. Ratings are always read."""
    return Q(removed_at__isnull=True) & (
        Q(moderation_status=Feedback.Moderation.APPROVED)
        | Q(moderation_status=Feedback.Moderation.PENDING, pupil__school__moderate_feedback=False)
    )


def is_shared_with_school(feedback: Feedback, *, school_moderates: bool) -> bool:
    """``feedback_shared_with_school`` for one row already in memory."""
    if feedback.removed_at is not None:
        return False
    if feedback.moderation_status == Feedback.Moderation.APPROVED:
        return True
    return feedback.moderation_status == Feedback.Moderation.PENDING and not school_moderates


@dataclass
class ActivityFeedback:
    """What the families of a class did with one activity of an assignment."""

    activity: Activity
    done_by: list = field(default_factory=list)  # pupils, by name
    ratings: list[int] = field(default_factory=list)
    shared: list[Feedback] = field(default_factory=list)  # comments and photos staff may read
    pending_count: int = 0

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else None


@dataclass(frozen=True)
class AssignmentFeedback:
    pupil_count: int
    activities: list[ActivityFeedback]
    pending_count: int


def assignment_feedback(*, user, assignment: Assignment) -> AssignmentFeedback:
    """Completions, ratings, comments and photos on an assignment's activities, from
    the pupils of its class whom the user sees as staff. Comments and photos waiting
    for approval (or rejected) are counted, not shown."""
    school_moderates = assignment.school_class.school.moderate_feedback
    activities = list(Activity.objects.filter(topic=assignment.topic_id).order_by("position", "pk"))
    pupils = {
        pupil.pk: pupil
        for pupil in access.pupils_staffed_by(user)
        .filter(school_class=assignment.school_class_id)
        .only("pk", "first_name", "last_name")
    }
    summaries = {activity.pk: ActivityFeedback(activity=activity) for activity in activities}
    completions = Completion.objects.filter(
        pupil__in=list(pupils), activity__topic=assignment.topic_id
    ).values_list("activity_id", "pupil_id")
    for activity_id, pupil_id in completions:
        summaries[activity_id].done_by.append(pupils[pupil_id])
    feedback_rows = Feedback.objects.filter(
        pupil__in=list(pupils), activity__topic=assignment.topic_id, removed_at__isnull=True
    ).order_by("created_at", "pk")
    pending_count = 0
    for feedback in feedback_rows:
        summary = summaries[feedback.activity_id]
        feedback.pupil = pupils[feedback.pupil_id]
        if feedback.rating is not None:
            summary.ratings.append(feedback.rating)
        if not (feedback.comment or feedback.photo):
            continue
        if is_shared_with_school(feedback, school_moderates=school_moderates):
            summary.shared.append(feedback)
        elif feedback.moderation_status == Feedback.Moderation.PENDING:
            summary.pending_count += 1
            pending_count += 1
    for summary in summaries.values():
        summary.done_by.sort(key=lambda pupil: (pupil.last_name, pupil.first_name, pupil.pk))
    return AssignmentFeedback(
        pupil_count=len(pupils), activities=list(summaries.values()), pending_count=pending_count
    )


def feedback_awaiting_moderation(*, user) -> QuerySet[Feedback]:
    """Comments and photos waiting for approval at schools that moderate, for the
    pupils the user sees as staff; the oldest first."""
    return (
        Feedback.objects.filter(
            pupil__in=access.pupils_staffed_by(user).values("pk"),
            pupil__school__moderate_feedback=True,
            moderation_status=Feedback.Moderation.PENDING,
            removed_at__isnull=True,
        )
        .exclude(comment="", photo="")
        .select_related("pupil__school", "pupil__school_class", "activity__topic")
        .order_by("created_at", "pk")
    )
