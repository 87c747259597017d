"""Reads of topics and activities for the staff who choose and write them."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from accounts import access
from learning.models import Activity, Topic
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
        access.topics_for_school_staff(user)
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


def activities_in_order(lookup: str) -> Prefetch:
    """Prefetch a topic's activities in their order, as ``topic.ordered_activities``."""
    return Prefetch(
        lookup, queryset=Activity.objects.order_by("position", "pk"), to_attr="ordered_activities"
    )


def activities_of(topic: Topic) -> list[Activity]:
    """The topic's activities in their order."""
    return list(topic.activities.order_by("position", "pk"))


def schools_for_new_topic(*, user) -> QuerySet[School]:
    """The schools a user may write a topic for."""
    return access.schools_staffed_by(user).order_by("name")
