"""Reads of learning data that depend on who is asking: topics for staff, the
child's space for parents, work set and families' feedback for staff, and what may
promote the programme."""

from learning.selectors.assignments import (
    FamilyStatus,
    assignment_families,
    assignment_family_counts,
    assignment_for_staff_or_404,
    assignments_for_staff,
    classes_for_assignment,
    topic_for_assignment_or_404,
)
from learning.selectors.feedback import (
    ActivityFeedback,
    AssignmentFeedback,
    assignment_feedback,
    feedback_awaiting_moderation,
    feedback_shared_with_school,
    is_shared_with_school,
)
from learning.selectors.promotion import (
    feedback_for_promotion,
)
from learning.selectors.space import (
    ChildSpace,
    activity_set_for_child,
    assignments_for_child,
    child_assignment,
    child_space,
    children_with_work_now,
)
from learning.selectors.topics import (
    TopicSource,
    activities_in_order,
    schools_for_new_topic,
    topic_with_activities,
    topics_for_staff,
)

__all__ = [
    "ActivityFeedback",
    "AssignmentFeedback",
    "ChildSpace",
    "FamilyStatus",
    "TopicSource",
    "activities_in_order",
    "activity_set_for_child",
    "assignment_families",
    "assignment_family_counts",
    "assignment_feedback",
    "assignment_for_staff_or_404",
    "assignments_for_child",
    "assignments_for_staff",
    "child_assignment",
    "child_space",
    "children_with_work_now",
    "classes_for_assignment",
    "feedback_awaiting_moderation",
    "feedback_for_promotion",
    "feedback_shared_with_school",
    "is_shared_with_school",
    "schools_for_new_topic",
    "topic_for_assignment_or_404",
    "topic_with_activities",
    "topics_for_staff",
]
