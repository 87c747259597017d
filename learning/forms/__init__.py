"""Forms of the learning pages."""

from learning.forms.assignments import (
    AssignmentCreateForm,
    AssignmentDatesForm,
)
from learning.forms.space import (
    RATING_CHOICES,
    FeedbackForm,
)
from learning.forms.topics import (
    ActivityForm,
    TopicFilterForm,
    TopicForm,
    https_by_default,
)

__all__ = [
    "RATING_CHOICES",
    "ActivityForm",
    "AssignmentCreateForm",
    "AssignmentDatesForm",
    "FeedbackForm",
    "TopicFilterForm",
    "TopicForm",
    "https_by_default",
]
