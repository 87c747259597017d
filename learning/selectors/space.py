"""Reads of topics and activities that depend on who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import access
from learning.models import Activity, Assignment, Award, Completion, Feedback, Topic
from schools.models import School


class TopicSource:
    LIBRARY = "library"
    SCHOOL = "school"


def topics_for_staff(
    *, user, year_group: int | None = None, subject: str = "", source: str = ""
) -> QuerySet[Topic]:
    """The topics a teacher or admin can choose from: the published library and their
    schools' own (drafts included), each with ``activity_count``; optionally only
    those suiting a year group, of a subject, or from the library or the school."""
    topics = (
        access.topics_visible_to(user)
        .filter(
            Q(school__isnull=True, published=True)
            | Q(school__in=access.schools_staffed_by(user).values("pk"))
        )
        .select_related("school")
        .annotate(activity_count=Count("activities"))
        .order_by("title", "pk")
    )
    if year_group is not None:
        topics = topics.filter(year_group_min__lte=year_group, year_group_max__gte=year_group)
    if subject:
        topics = topics.filter(subject=subject)
    if source == TopicSource.LIBRARY:
        topics = topics.filter(school__isnull=True)
    elif source == TopicSource.SCHOOL:
        topics = topics.filter(school__isnull=False)
    return topics


def _activities_in_order(lookup: str) -> Prefetch:
    """Prefetch a topic's activities in their order, as ``topic.ordered_activities``."""
    return Prefetch(
        lookup, queryset=Activity.objects.order_by("position", "pk"), to_attr="ordered_activities"
    )


def topic_with_activities(*, user, topic_id) -> Topic:
    """A topic the user may read, with its activities in order (``topic.ordered_activities``)."""
    return (
        access.topics_visible_to(user)
        .select_related("school")
        .prefetch_related(_activities_in_order("activities"))
        .filter(pk=topic_id)
        .first()
    )


def schools_for_new_topic(*, user) -> QuerySet[School]:
    """The schools a user may write a topic for."""
    return access.schools_staffed_by(user).order_by("name")


# --- The child's space and families' feedback -------------------------------------
#
# Reads for a parent (their child's topics, progress, own feedback) and for staff
# (what families did and said about an assignment, what waits for approval).


def assignments_for_child(*, pupil) -> QuerySet[Assignment]:
    """The topics set for the child's class that have started (for a child the school
    has removed, those that started before), each with its topic, ``activity_count``
    and ``done_count`` (how many of its activities the child has done)."""
    if pupil.school_class_id is None:
        return Assignment.objects.none()
    assignments = Assignment.objects.filter(
        school_class_id=pupil.school_class_id, starts_on__lte=timezone.localdate()
    )
    if pupil.removed_by_school_at is not None:
        assignments = assignments.filter(
            starts_on__lte=timezone.localdate(pupil.removed_by_school_at)
        )
    activity_count = (
        Activity.objects.filter(topic=OuterRef("topic_id"))
        .order_by()
        .values("topic")
        .annotate(count=Count("pk"))
        .values("count")
    )
    done_count = (
        Completion.objects.filter(pupil=pupil, activity__topic=OuterRef("topic_id"))
        .order_by()
        .values("activity__topic")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return assignments.select_related("topic").annotate(
        activity_count=Coalesce(Subquery(activity_count), 0),
        done_count=Coalesce(Subquery(done_count), 0),
    )


@dataclass(frozen=True)
class ChildSpace:
    current: list[Assignment]  # open now, the soonest due first
    past: list[Assignment]  # past their due date, the latest first
    awards: list[Award]


def child_space(*, pupil) -> ChildSpace:
    """What a parent sees of one child: topics set now and before, with progress, and awards."""
    today = timezone.localdate()
    assignments = list(assignments_for_child(pupil=pupil).order_by("due_on", "pk"))
    current = [assignment for assignment in assignments if assignment.due_on >= today]
    past = [assignment for assignment in reversed(assignments) if assignment.due_on < today]
    awards = list(Award.objects.filter(pupil=pupil).order_by("earned_at", "pk"))
    return ChildSpace(current=current, past=past, awards=awards)


def child_assignment(*, pupil, parent, assignment_id) -> Assignment | None:
    """One topic set for the child, with its activities in order
    (``assignment.topic.ordered_activities``), each carrying the child's
    ``completion`` and this parent's own live ``my_feedback`` (or None)."""
    assignment = (
        assignments_for_child(pupil=pupil)
        .select_related("school_class")
        .prefetch_related(_activities_in_order("topic__activities"))
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return None
    completions = {
        completion.activity_id: completion
        for completion in Completion.objects.filter(
            pupil=pupil, activity__topic=assignment.topic_id
        )
    }
    own_feedback = {
        feedback.activity_id: feedback
        for feedback in Feedback.objects.filter(
            pupil=pupil,
            parent=parent,
            removed_at__isnull=True,
            activity__topic=assignment.topic_id,
        )
    }
    for activity in assignment.topic.ordered_activities:
        activity.completion = completions.get(activity.pk)
        activity.my_feedback = own_feedback.get(activity.pk)
    return assignment


def activity_set_for_child(*, pupil, activity: Activity) -> bool:
    """Is the activity part of a topic set for the child (and started)?"""
    return assignments_for_child(pupil=pupil).filter(topic_id=activity.topic_id).exists()


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


def children_with_work_now(*, parent) -> list:
    """The parent's children (``schools.selectors.children_for_parent``), each with
    ``current_count``: how many topics set for them are open today."""
    from schools.selectors import children_for_parent

    children = list(children_for_parent(parent=parent))
    class_ids = {
        child.school_class_id
        for child in children
        if child.school_class_id is not None and child.removed_by_school_at is None
    }
    counts: dict[int, int] = {}
    if class_ids:
        today = timezone.localdate()
        counts = dict(
            Assignment.objects.filter(
                school_class_id__in=class_ids, starts_on__lte=today, due_on__gte=today
            )
            .order_by()
            .values("school_class")
            .annotate(count=Count("pk"))
            .values_list("school_class", "count")
        )
    for child in children:
        on_roll = child.removed_by_school_at is None
        child.current_count = counts.get(child.school_class_id, 0) if on_roll else 0
    return children
