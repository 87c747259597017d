"""Reads of learning data that depend on who is asking: topics for staff, the
child's space for parents, work set and families' feedback for staff, and what may
promote the programme."""

from learning.selectors.assignments import (
    FamilyStatus,
    assignment_families,
    assignment_family_counts,
    assignments_count_families,
    assignments_for_staff,
    assignments_with_topic_size,
    classes_for_assignment,
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
    activities_of,
    schools_for_new_topic,
    topics_for_staff,
)

__all__ = [
    "ActivityFeedback",
    "AssignmentFeedback",
    "ChildSpace",
    "FamilyStatus",
    "TopicSource",
    "activities_in_order",
    "activities_of",
    "activity_set_for_child",
    "assignment_families",
    "assignment_family_counts",
    "assignment_feedback",
    "assignments_count_families",
    "assignments_for_child",
    "assignments_for_staff",
    "assignments_with_topic_size",
    "child_assignment",
    "child_space",
    "children_with_work_now",
    "classes_for_assignment",
    "feedback_awaiting_moderation",
    "feedback_for_promotion",
    "feedback_shared_with_school",
    "is_shared_with_school",
    "schools_for_new_topic",
    "topics_for_staff",
]
