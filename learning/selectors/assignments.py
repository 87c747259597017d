"""Reads about work set for classes, for the staff who set it.

How a family stands with a piece of work is worked out by the database, for
every pupil at once: completed (every activity of the topic done, from
``Completion``), started (the topic opened in the child's space, an
``ASSIGNMENT_OPENED`` event, or at least one activity done) or not opened.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from accounts import access
from engagement.models import Event
from learning.models import Activity, Assignment, Completion, Topic
from learning.services.assignments import REFERENCE_PREFIX, assignment_reference
from schools.models import Guardianship, Pupil, SchoolClass


class FamilyStatus:
    """Where a family stands with a piece of work."""

    NOT_OPENED = "not_opened"
    STARTED = "started"
    COMPLETED = "completed"
    LABELS = {NOT_OPENED: "Not opened", STARTED: "Started", COMPLETED: "Completed"}


def _subquery_count(queryset: QuerySet, *, group_by: str) -> Coalesce:
    """The number of rows of a correlated ``queryset``; 0 when there are none."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(number=Count("pk")).values("number")[:1]
        ),
        0,
    )


def _pupils_on_roll() -> QuerySet[Pupil]:
    return Pupil.objects.filter(removed_by_school_at__isnull=True, anonymised_at__isnull=True)


def _family_status(*, pupil: str, topic, subject) -> Case:
    """A pupil's status for work on ``topic`` whose opening is recorded as event
    ``subject``. ``pupil`` is the query's path to the pupil's pk; ``topic`` and
    ``subject`` are values, or expressions as seen from a subquery of that query.

    Build it once per query: each use repeats its four subqueries."""
    activities = Activity.objects.filter(topic_id=topic)
    left_to_do = activities.filter(
        ~Exists(
            Completion.objects.filter(
                pupil_id=OuterRef(OuterRef(pupil)), activity_id=OuterRef("pk")
            )
        )
    )
    something_done = Completion.objects.filter(pupil_id=OuterRef(pupil), activity__topic_id=topic)
    opened = Event.objects.filter(
        pupil_id=OuterRef(pupil), kind=Event.Kind.ASSIGNMENT_OPENED, subject=subject
    )
    return Case(
        When(Exists(activities) & ~Exists(left_to_do), then=Value(FamilyStatus.COMPLETED)),
        When(Exists(opened) | Exists(something_done), then=Value(FamilyStatus.STARTED)),
        default=Value(FamilyStatus.NOT_OPENED),
        output_field=CharField(),
    )


def _counts_by_status(rows) -> dict[str, int]:
    counts = dict.fromkeys(FamilyStatus.LABELS, 0)
    for status, number in rows:
        counts[status] = number
    return counts


def assignments_for_staff(*, user) -> QuerySet[Assignment]:
    """The work set for the classes a teacher teaches (an admin: their school's),
    newest first. ``assignments_count_families`` adds the families' counts to a page."""
    return (
        access.assignments_managed_by(user)
        .select_related("topic", "school_class__school")
        .order_by("-starts_on", "-pk")
    )


def assignments_count_families(assignments: list[Assignment]) -> list[Assignment]:
    """Give each of these assignments (a page of them) how many families of its class
    have completed it, started it or not opened it (``completed_count``,
    ``started_count``, ``not_opened_count``): one query, grouped by assignment and
    status, that works out each pupil's status once."""
    subject = Concat(
        Value(REFERENCE_PREFIX),
        Cast(OuterRef("pk"), output_field=CharField()),
        output_field=CharField(),
    )
    rows = (
        Assignment.objects.filter(
            pk__in=[assignment.pk for assignment in assignments],
            school_class__pupils__removed_by_school_at__isnull=True,
            school_class__pupils__anonymised_at__isnull=True,
        )
        .annotate(
            family_status=_family_status(
                pupil="school_class__pupils", topic=OuterRef("topic_id"), subject=subject
            )
        )
        .values("pk", "family_status")
        .annotate(number=Count("school_class__pupils"))
        .order_by()
        .values_list("pk", "family_status", "number")
    )
    by_assignment: dict[int, list[tuple[str, int]]] = {}
    for pk, status, number in rows:
        by_assignment.setdefault(pk, []).append((status, number))
    for assignment in assignments:
        for status, number in _counts_by_status(by_assignment.get(assignment.pk, [])).items():
            setattr(assignment, f"{status}_count", number)
    return assignments


def assignments_with_topic_size() -> QuerySet[Assignment]:
    """Assignments with who set them and their topic's ``activity_count``: for the
    work-set page, whose assignment the checkpoint picks from these
    (``accounts.access.assignment_or_404(..., within=...)``)."""
    return Assignment.objects.select_related("set_by").annotate(
        activity_count=_subquery_count(
            Activity.objects.filter(topic_id=OuterRef("topic_id")), group_by="topic_id"
        )
    )


def assignment_families(*, assignment: Assignment, status: str = "") -> QuerySet[Pupil]:
    """The pupils on roll in the assignment's class, each with ``family_status``,
    ``done_count`` (activities of the topic done) and ``parents`` (the guardianships
    of the parents who have joined); optionally only those with one status."""
    parents = (
        Guardianship.objects.filter(
            confirmed_at__isnull=False, ended_at__isnull=True, parent__closed_at__isnull=True
        )
        .select_related("parent")
        .order_by("parent__first_name", "parent__last_name", "pk")
    )
    families = (
        _pupils_on_roll()
        .filter(school_class_id=assignment.school_class_id)
        .annotate(
            family_status=_family_status(
                pupil="pk", topic=assignment.topic_id, subject=assignment_reference(assignment.pk)
            ),
            done_count=_subquery_count(
                Completion.objects.filter(
                    pupil_id=OuterRef("pk"), activity__topic_id=assignment.topic_id
                ),
                group_by="pupil_id",
            ),
        )
        .prefetch_related(Prefetch("guardianships", queryset=parents, to_attr="parents"))
        .order_by("last_name", "first_name", "pk")
    )
    if status:
        families = families.filter(family_status=status)
    return families


def assignment_family_counts(*, assignment: Assignment) -> dict[str, int]:
    """How many families of the class are in each status, counted by the database
    (grouped by status, so each pupil's status is worked out once)."""
    families = assignment_families(assignment=assignment).prefetch_related(None)
    return _counts_by_status(
        families.values("family_status")
        .annotate(number=Count("pk"))
        .order_by()
        .values_list("family_status", "number")
    )


def classes_for_assignment(*, user, topic: Topic) -> QuerySet[SchoolClass]:
    """The classes the user may set ``topic`` for: their own (an admin: their
    school's); only the topic's school's when it is a school's own."""
    classes = access.classes_assignable_by(user).select_related("school")
    if topic.school_id is not None:
        classes = classes.filter(school_id=topic.school_id)
    return classes.order_by("school__name", "year_group", "name", "pk")
