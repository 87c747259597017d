"""A teacher's engagement dashboard: how the families of their classes take part,
per class and per piece of work set, and which families have not engaged.

Every number is counted by the database (a fixed number of queries, however many
pupils or events). The words (``engagement.selectors.families``):

- reached: a pupil on roll with at least one joined parent (guardianship
  confirmed and not ended, account open and not restricted);
- active in a period: a reached pupil one of whose joined parents has an event at
  the pupil's school in it; events of staff never count, since only parents' are
  looked at;
- a pupil's parents' last activity: the newest such event (the engagement record,
  not ``User.last_active_at``, which is not kept per school);
- on a piece of work: the events about it (opening it, doing, rating or commenting
  on one of its activities) for a pupil of the class.

Individual Pupil Premium status is never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from accounts.access import pupils_taught_by
from engagement.models import Event, Nudge
from engagement.selectors.families import (
    active_expression,
    completions_expression,
    reached_expression,
    reaching_guardianships,
)
from engagement.selectors.periods import last_days, last_week, school_today, this_week
from learning.models import Activity, Assignment, Completion, Feedback
from schools.models import Pupil, SchoolClass

# The "who has not engaged" filter: days without activity (None: never active).
NOT_ENGAGED_SINCE = {"never": None, "14": 14, "30": 30}
# Work shown per class: the most recent pieces.
ASSIGNMENTS_SHOWN = 10
RECENT_FEEDBACK_SHOWN = 5


def count_of(queryset: QuerySet, field: str = "pk", *, distinct: bool = False) -> Coalesce:
    """A subquery giving how many rows (or distinct ``field`` values) ``queryset`` has,
    for use in an annotation; 0 when none."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = queryset.order_by().annotate(
        _number=Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("_number")[:1]), Value(0))


@dataclass(frozen=True)
class ClassSummary:
    school_class: SchoolClass
    pupils: int
    reached: int
    active_7_days: int
    active_30_days: int
    active_this_week: int
    active_last_week: int
    completions_30_days: int

    @property
    def week_change(self) -> str:
        """This week against last, in words: "up 2", "down 1" or "same"."""
        change = self.active_this_week - self.active_last_week
        if change > 0:
            return f"up {change}"
        if change < 0:
            return f"down {-change}"
        return "same"


def class_summaries(*, classes: list[SchoolClass]) -> list[ClassSummary]:
    """For each class, its pupils on roll and how many are reached and active:
    one query per school the classes belong to (a teacher's are nearly always at one).
    Completions count anonymised pupils too (kept without identity after a
    family's erasure); such a pupil is no longer counted as a pupil, and with no
    parent left it is never reached or active."""
    now = timezone.now()
    today = school_today()
    by_school: dict[int, list[SchoolClass]] = {}
    for school_class in classes:
        by_school.setdefault(school_class.school_id, []).append(school_class)
    counts: dict[int, dict] = {}
    for school_id, school_classes in by_school.items():
        rows = (
            Pupil.objects.filter(
                school_id=school_id,
                school_class__in=[c.pk for c in school_classes],
                removed_by_school_at__isnull=True,
            )
            .annotate(
                is_reached=reached_expression(at=now),
                active_7=active_expression(school=school_id, period=last_days(7, today)),
                active_30=active_expression(school=school_id, period=last_days(30, today)),
                active_this=active_expression(school=school_id, period=this_week(today)),
                active_last=active_expression(school=school_id, period=last_week(today)),
                completions_30=completions_expression(period=last_days(30, today)),
            )
            .order_by()
            .values("school_class_id")
            .annotate(
                pupils=Count("pk", filter=Q(anonymised_at__isnull=True)),
                reached=Count("pk", filter=Q(is_reached=True)),
                active_7_days=Count("pk", filter=Q(active_7=True)),
                active_30_days=Count("pk", filter=Q(active_30=True)),
                active_this_week=Count("pk", filter=Q(active_this=True)),
                active_last_week=Count("pk", filter=Q(active_last=True)),
                completions=Coalesce(Sum("completions_30"), Value(0)),
            )
        )
        counts.update({row["school_class_id"]: row for row in rows})
    empty = {
        "pupils": 0,
        "reached": 0,
        "active_7_days": 0,
        "active_30_days": 0,
        "active_this_week": 0,
        "active_last_week": 0,
        "completions": 0,
    }
    summaries = []
    for school_class in classes:
        row = counts.get(school_class.pk, empty)
        summaries.append(
            ClassSummary(
                school_class=school_class,
                pupils=row["pupils"],
                reached=row["reached"],
                active_7_days=row["active_7_days"],
                active_30_days=row["active_30_days"],
                active_this_week=row["active_this_week"],
                active_last_week=row["active_last_week"],
                completions_30_days=row["completions"],
            )
        )
    return summaries


def _assignment_events(*, since: dt.datetime) -> QuerySet[Event]:
    """Events about the outer assignment since ``since``, for pupils on roll in its
    class, by one of the pupil's joined parents."""
    activity_refs = (
        Activity.objects.filter(topic_id=OuterRef(OuterRef("topic_id")))
        .annotate(ref=Concat(Value("activity:"), Cast("pk", output_field=CharField())))
        .values("ref")
    )
    own_ref = Concat(Value("assignment:"), Cast(OuterRef("pk"), output_field=CharField()))
    joined = reaching_guardianships(at=timezone.now()).filter(
        pupil_id=OuterRef("pupil_id"), parent_id=OuterRef("actor_id")
    )
    return Event.objects.filter(
        Q(subject=own_ref) | Q(subject__in=activity_refs),
        Exists(joined),
        at__gte=since,
        pupil__school_class_id=OuterRef("school_class_id"),
        pupil__removed_by_school_at__isnull=True,
    )


def assignment_summaries(*, school_class: SchoolClass) -> list[Assignment]:
    """The class's most recent work, each with how many families were active on it
    in the last 7 and 30 days and how many of its activities the class's pupils on
    roll have done: one query."""
    now = timezone.now()
    completions = Completion.objects.filter(
        activity__topic_id=OuterRef("topic_id"),
        pupil__school_class_id=OuterRef("school_class_id"),
        pupil__removed_by_school_at__isnull=True,
    )
    return list(
        Assignment.objects.filter(school_class=school_class)
        .select_related("topic")
        .annotate(
            active_7_days=count_of(
                _assignment_events(since=now - dt.timedelta(days=7)), "pupil_id", distinct=True
            ),
            active_30_days=count_of(
                _assignment_events(since=now - dt.timedelta(days=30)), "pupil_id", distinct=True
            ),
            completions=count_of(completions),
            activities=count_of(Activity.objects.filter(topic_id=OuterRef("topic_id"))),
        )
        .order_by("-starts_on", "-pk")[:ASSIGNMENTS_SHOWN]
    )


def open_assignments(*, school_class: SchoolClass) -> list[Assignment]:
    """Work set for the class that has started and is not yet past its due date:
    what a nudge can be about."""
    today = school_today()
    return list(
        Assignment.objects.filter(
            school_class=school_class, starts_on__lte=today, due_on__gte=today
        )
        .select_related("topic")
        .order_by("due_on", "pk")
    )


def recent_feedback(*, school_class: SchoolClass) -> list[Feedback]:
    """The newest comments and photos families shared for the class's pupils on
    roll, as the class's feedback pages show them (approved, where the school
    checks them first; never a rejected or removed one)."""
    feedback = (
        Feedback.objects.filter(
            pupil__school_class=school_class,
            pupil__removed_by_school_at__isnull=True,
            pupil__anonymised_at__isnull=True,
            removed_at__isnull=True,
        )
        .exclude(comment="", photo="")
        .exclude(moderation_status=Feedback.Moderation.REJECTED)
    )
    if school_class.school.moderate_feedback:
        feedback = feedback.filter(moderation_status=Feedback.Moderation.APPROVED)
    return list(
        feedback.select_related("pupil", "activity").order_by("-created_at", "-pk")[
            :RECENT_FEEDBACK_SHOWN
        ]
    )


def pupils_by_engagement(
    *, user, school_class: SchoolClass, not_since: str = "", assignment: Assignment | None = None
) -> QuerySet[Pupil]:
    """The class's pupils on roll that ``user`` teaches, each with its parents' last
    activity (``last_active``, None if never), its number of joined parents
    (``parents_joined``) and, given an ``assignment``, when its family was last
    nudged about it (``last_nudged``). ``not_since``: "never" (no activity ever),
    "14" or "30" (none in that many days, never included). Least engaged first."""
    now = timezone.now()
    joined = reaching_guardianships(at=now)
    last_event = (
        Event.objects.filter(
            school_id=OuterRef("school_id"),
            actor_id__in=joined.filter(pupil_id=OuterRef(OuterRef("pk"))).values("parent_id"),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    pupils = (
        pupils_taught_by(user)
        .filter(school_class=school_class)
        .annotate(
            last_active=Subquery(last_event),
            parents_joined=count_of(joined.filter(pupil_id=OuterRef("pk"))),
        )
    )
    if assignment is not None:
        last_nudge = (
            Nudge.objects.filter(
                assignment=assignment,
                parent_id__in=joined.filter(pupil_id=OuterRef(OuterRef("pk"))).values("parent_id"),
            )
            .order_by("-sent_at")
            .values("sent_at")[:1]
        )
        pupils = pupils.annotate(last_nudged=Subquery(last_nudge))
    days = NOT_ENGAGED_SINCE.get(not_since)
    if not_since == "never":
        pupils = pupils.filter(last_active__isnull=True)
    elif days is not None:
        cutoff = now - dt.timedelta(days=days)
        pupils = pupils.filter(Q(last_active__isnull=True) | Q(last_active__lt=cutoff))
    return pupils.order_by(F("last_active").asc(nulls_first=True), "last_name", "first_name", "pk")
