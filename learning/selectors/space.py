"""Reads for a parent's pages: the children, the topics set for each child, with
their progress, awards, and the parent's own feedback."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from learning.models import Activity, Assignment, Award, Completion, Feedback
from learning.selectors.topics import activities_in_order


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
        .prefetch_related(activities_in_order("topic__activities"))
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
