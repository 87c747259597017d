"""A school admin's engagement dashboard: reach, weekly active families over the
term, completions per week, classes and year groups this week against last, the
invitation funnel, the most and least used topics, and the families never active.

Counted by the database in a fixed number of queries, however many pupils,
parents or events. Words as in ``engagement.selectors.families``; here a
*family* in the weekly trend and the funnel is a parent (two parents of one
pupil are two), while the class and year-group rows count pupils (a pupil with
two active parents counts once). Staff events never count: only the events of
parents joined to the school's pupils on roll are looked at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncWeek
from django.utils import timezone

from accounts.models import User
from engagement.models import EngagementDay, Event
from engagement.selectors.dashboards import count_of
from engagement.selectors.families import (
    active_expression,
    completions_expression,
    reached_expression,
    reaching_guardianships,
    school_timezone,
)
from engagement.selectors.periods import (
    Term,
    last_week,
    school_today,
    this_week,
    weeks_of,
)
from invitations.models import Invitation
from invitations.tokens import REFERENCE_PREFIX
from learning.models import Assignment, Completion, Topic
from notifications.models import Message
from schools.models import Guardianship, Pupil, School, YearGroup

TOPICS_SHOWN = 5


@dataclass(frozen=True)
class Week:
    monday: dt.date
    value: int
    # Out of the largest week's value, for the bar's length (0-100).
    percent: int


def _on_roll(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(
        school=school, removed_by_school_at__isnull=True, anonymised_at__isnull=True
    )


def joined_parents(school: School, *, at: dt.datetime | None = None) -> QuerySet[Guardianship]:
    """Guardianships joining a parent to a pupil of the school on roll now."""
    return reaching_guardianships(at=at or timezone.now()).filter(
        pupil__in=_on_roll(school).values("pk")
    )


def school_reach(*, school: School) -> dict:
    """Pupils on roll, and how many have a joined parent: one query."""
    return _on_roll(school).aggregate(
        pupils=Count("pk"),
        reached=Count("pk", filter=Q(reached_expression(at=timezone.now(), school=school))),
    )


def _weekly(rows, weeks: list[dt.date]) -> list[Week]:
    zone = school_timezone()
    values = {}
    for row in rows:
        week = row["week"]
        week = week.astimezone(zone).date() if isinstance(week, dt.datetime) else week
        values[week] = row["number"]
    largest = max(values.values(), default=0)
    return [
        Week(
            monday=monday,
            value=values.get(monday, 0),
            percent=round(100 * values.get(monday, 0) / largest) if largest else 0,
        )
        for monday in weeks
    ]


def weekly_active_families(*, school: School, term: Term) -> list[Week]:
    """For each week of the term so far, how many joined parents were active at the
    school (the summary of their events by local day): one query."""
    rows = (
        EngagementDay.objects.filter(
            school=school,
            day__gte=term.period.start,
            day__lt=term.period.end,
            parent_id__in=joined_parents(school).values("parent_id"),
        )
        .order_by()
        .values("week")
        .annotate(number=Count("parent_id", distinct=True))
    )
    return _weekly(rows, weeks_of(term.period, until=school_today()))


def weekly_completions(*, school: School, term: Term) -> list[Week]:
    """For each week of the term so far, the completions of the school's pupils: one query."""
    rows = (
        Completion.objects.filter(
            pupil__school=school,
            completed_at__gte=term.period.start_at,
            completed_at__lt=term.period.end_at,
        )
        .annotate(week=TruncWeek("completed_at", tzinfo=school_timezone()))
        .order_by()
        .values("week")
        .annotate(number=Count("pk"))
    )
    return _weekly(rows, weeks_of(term.period, until=school_today()))


def families_this_week_and_last(
    *,
    school: School,
    term: Term | None = None,
    weekly_families: list[Week] | None = None,
    weekly_completions: list[Week] | None = None,
) -> dict:
    """Joined parents active at the school this week and last week, and the
    completions of each. Read from the term's weekly figures when both weeks lie
    wholly inside the term (no query); otherwise two queries."""
    this, last = this_week(), last_week()
    if (
        term is not None
        and weekly_families is not None
        and weekly_completions is not None
        and term.period.start <= last.start
        and this.end <= term.period.end
    ):
        families = {week.monday: week.value for week in weekly_families}
        done = {week.monday: week.value for week in weekly_completions}
        return {
            "active": {
                "this_week": families.get(this.start, 0),
                "last_week": families.get(last.start, 0),
            },
            "completions": {
                "this_week": done.get(this.start, 0),
                "last_week": done.get(last.start, 0),
            },
        }
    active = EngagementDay.objects.filter(
        school=school,
        parent_id__in=joined_parents(school).values("parent_id"),
        day__gte=last.start,
        day__lt=this.end,
    ).aggregate(
        this_week=Count("parent_id", distinct=True, filter=Q(day__gte=this.start)),
        last_week=Count("parent_id", distinct=True, filter=Q(day__lt=this.start)),
    )
    completions = Completion.objects.filter(
        pupil__school=school, completed_at__gte=last.start_at, completed_at__lt=this.end_at
    ).aggregate(
        this_week=Count("pk", filter=Q(completed_at__gte=this.start_at)),
        last_week=Count("pk", filter=Q(completed_at__lt=this.start_at)),
    )
    return {"active": active, "completions": completions}


_COUNTS = (
    "pupils",
    "reached",
    "active_this_week",
    "active_last_week",
    "completions_this_week",
    "completions_last_week",
)
_CLASS_FIELDS = ("school_class__year_group", "school_class__name", "school_class_id")


def _breakdown(school: School) -> list[dict]:
    """The counts per pupil's year group and class: one query."""
    this, last = this_week(), last_week()
    return list(
        _on_roll(school)
        .annotate(
            is_reached=reached_expression(at=timezone.now(), school=school),
            active_this=active_expression(school=school, period=this),
            active_last=active_expression(school=school, period=last),
            completions_this=completions_expression(period=this),
            completions_last=completions_expression(period=last),
        )
        .order_by()
        .values("year_group", *_CLASS_FIELDS)
        .annotate(
            pupils=Count("pk"),
            reached=Count("pk", filter=Q(is_reached=True)),
            active_this_week=Count("pk", filter=Q(active_this=True)),
            active_last_week=Count("pk", filter=Q(active_last=True)),
            completions_this_week=Coalesce(Sum("completions_this"), Value(0)),
            completions_last_week=Coalesce(Sum("completions_last"), Value(0)),
        )
    )


def _rolled_up(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """``rows`` added up by ``fields``, in their order (no value first, as SQL
    puts nulls last). Every count is of pupils or completions, so they add up."""
    totals: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[field] for field in fields)
        if key not in totals:
            totals[key] = {**dict(zip(fields, key, strict=True)), **dict.fromkeys(_COUNTS, 0)}
        total = totals[key]
        for count in _COUNTS:
            total[count] += row[count]
    return [totals[key] for key in sorted(totals, key=lambda key: [(v is None, v) for v in key])]


def reach_of(class_rows: list[dict]) -> dict:
    """The school's reach added up from ``class_and_year_group_rows``' class rows
    (every pupil on roll is in exactly one of them): no query."""
    return {
        "pupils": sum(row["pupils"] for row in class_rows),
        "reached": sum(row["reached"] for row in class_rows),
    }


def class_and_year_group_rows(*, school: School) -> tuple[list[dict], list[dict]]:
    """``by_class`` and ``by_year_group`` from one query."""
    rows = _breakdown(school)
    classes = _rolled_up(rows, _CLASS_FIELDS)
    for row in classes:
        row["name"] = row["school_class__name"] or "No class"
    year_groups = _rolled_up(rows, ("year_group",))
    labels = dict(YearGroup.choices)
    for row in year_groups:
        row["name"] = labels.get(row["year_group"], "No year group")
    return classes, year_groups


def by_class(*, school: School) -> list[dict]:
    """Per class (and pupils in none): pupils on roll, reached, pupils with an
    active parent this week and last, completions this week and last. One query."""
    return class_and_year_group_rows(school=school)[0]


def by_year_group(*, school: School) -> list[dict]:
    """The same numbers per pupil's year group. One query."""
    return class_and_year_group_rows(school=school)[1]


def invitation_funnel(*, school: School) -> dict:
    """Invitations the school created, how many reached the family (a message
    delivered, or accepted), how many were accepted, and how many of those
    parents have been active at the school since. One query."""
    delivered_message = Message.objects.filter(
        reference=Concat(
            Value(REFERENCE_PREFIX),
            Cast(OuterRef("pk"), output_field=CharField()),
        ),
        status=Message.Status.DELIVERED,
    )
    active = EngagementDay.objects.filter(school=school, parent_id=OuterRef("accepted_by_id"))
    accepted = Q(status=Invitation.Status.ACCEPTED)
    return Invitation.objects.filter(school=school).aggregate(
        invited=Count("pk"),
        delivered=Count(
            "pk",
            filter=accepted | Q(status=Invitation.Status.DELIVERED) | Q(Exists(delivered_message)),
        ),
        joined=Count("pk", filter=accepted),
        active=Count("pk", filter=accepted & Q(Exists(active))),
    )


def topics_by_use(*, school: School, term: Term) -> tuple[list[Topic], list[Topic]]:
    """The topics set for the school's classes this term, most used first and least
    used first, by completions of their activities plus openings of the work, by
    the school's pupils' families this term. One query."""
    start, end = term.period.start_at, term.period.end_at
    completions = Completion.objects.filter(
        activity__topic_id=OuterRef("pk"),
        pupil__school=school,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    work_refs = (
        Assignment.objects.filter(topic_id=OuterRef(OuterRef("pk")), school_class__school=school)
        .annotate(ref=Concat(Value("assignment:"), Cast("pk", output_field=CharField())))
        .values("ref")
    )
    openings = Event.objects.filter(
        school=school,
        kind=Event.Kind.ASSIGNMENT_OPENED,
        subject__in=work_refs,
        at__gte=start,
        at__lt=end,
    )
    topics = list(
        Topic.objects.filter(
            pk__in=Assignment.objects.filter(
                school_class__school=school,
                starts_on__lt=term.period.end,
                due_on__gte=term.period.start,
            ).values("topic_id")
        )
        .annotate(completions=count_of(completions), openings=count_of(openings, "subject"))
        .order_by("title", "pk")
    )
    # Summed and sorted here: ordering by the sum in SQL runs both counts twice.
    for topic in topics:
        topic.uses = topic.completions + topic.openings
    topics.sort(key=lambda topic: -topic.uses)
    most = topics[:TOPICS_SHOWN]
    least = [topic for topic in reversed(topics) if topic not in most][:TOPICS_SHOWN]
    return most, least


def parents_never_active(*, school: School) -> QuerySet[User]:
    """Parents joined to the school's pupils on roll with no event at the school,
    ever, each with those children (``children``: prefetched guardianships);
    paginate it (two queries a page, and one for the children)."""
    joined = joined_parents(school)
    return (
        User.objects.filter(pk__in=joined.values("parent_id"))
        .filter(~Exists(EngagementDay.objects.filter(school=school, parent_id=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "guardianships",
                queryset=joined.select_related("pupil__school_class").order_by("pupil__first_name"),
                to_attr="children",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )
