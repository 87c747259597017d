"""Demo engagement: a year of what families did, for the dashboards and reports.

Part of ``seed_demo --events-per-pupil N`` (``demo.seeding``), DEBUG-only demo
data, made from ``random.Random`` seeded with the seed like the rest:

- **Who joined.** About 70% of families have a parent who joined (fewer among
  Pupil Premium families, as in real schools): their guardianships are confirmed
  at a time in the past year, most in its first weeks, and in some two-parent
  families the second parent joined too. Only those parents have events. The
  demo parent keeps their own login and no made-up history.
- **Who never came back.** About a fifth of the families who joined have no
  event at all (a quarter of Pupil Premium ones); the others are more or less
  keen (a long tail of very active families), with events only after they joined.
- **When.** Over the last 365 days (``demo.moments``): term time much busier
  than the holidays, weekdays busier than weekends, and evenings (17:00-21:00)
  busiest of all.
- **What.** ``EVENT_MIX`` says how often each kind of event happens and what it
  is about. Each class has the library topics its year group fits set at dates
  in the year, so opening a topic, doing an activity (a ``Completion`` row with
  the same time as its event, once per pupil and activity) and giving feedback
  follow work that had started by then; a family with no work yet just signs in.
  A new kind of event is one more line in ``EVENT_MIX``.

On PostgreSQL rows go in with ``COPY``, one school at a time, so 2 million
events take a minute or two; elsewhere (SQLite, ``make demo``) with
``bulk_create`` in batches.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from itertools import accumulate, islice

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from demo.moments import DAYS, Clock, in_holiday
from engagement.models import Event
from engagement.services import summary_rebuild
from learning.models import Activity, Assignment, Completion, Topic
from learning.services import SCHOOL_TIME_ZONE
from learning.services.assignments import assignment_reference
from schools.models import Pupil, School

# By Pupil Premium: share of families with a parent who joined; share of those
# who never did anything.
JOINED_SHARE = {True: 0.58, False: 0.7}
NEVER_ACTIVE_SHARE = {True: 0.25, False: 0.17}
SECOND_PARENT_JOINS = 0.35
# Of the families who joined, this share joined in the window's first 30 days.
EARLY_JOINERS = 0.6
BATCH_SIZE = 5000


class Target(Enum):
    """What an event is about, which decides its pupil and subject."""

    SCHOOL = "school"  # no subject: signing in
    ASSIGNMENT = "assignment"  # a child's work that has started: assignment:<pk>
    TOPIC = "topic"  # its topic: topic:<pk>
    ACTIVITY = "activity"  # one of its activities: activity:<pk>
    COMPLETION = "completion"  # an activity done for the first time, with its Completion


@dataclass(frozen=True)
class KindShare:
    kind: str
    weight: float
    target: Target


# How often each kind of event happens (relative weights) and what it is about.
# The first SCHOOL kind stands in when a family has no work yet.
EVENT_MIX = (
    KindShare(Event.Kind.SIGNED_IN, 40, Target.SCHOOL),
    KindShare(Event.Kind.ASSIGNMENT_OPENED, 24, Target.ASSIGNMENT),
    KindShare(Event.Kind.ACTIVITY_OPENED, 7, Target.ACTIVITY),
    KindShare(Event.Kind.VIDEO_STARTED, 6, Target.ACTIVITY),
    KindShare(Event.Kind.GAME_OPENED, 4, Target.ACTIVITY),
    KindShare(Event.Kind.ACTIVITY_COMPLETED, 11, Target.COMPLETION),
    KindShare(Event.Kind.RATED, 5, Target.ACTIVITY),
    KindShare(Event.Kind.COMMENTED, 2, Target.ACTIVITY),
    KindShare(Event.Kind.PHOTO_SHARED, 1, Target.ACTIVITY),
)


@dataclass
class _Family:
    pupils: list[Pupil]
    parents: list[User]
    pupil_premium: bool


def _families(links) -> list[_Family]:
    """A school plan's families: the pupils who share the same contacts."""
    by_contacts: dict[tuple[int, ...], _Family] = {}
    contacts_of: dict[int, list[User]] = {}
    pupils: dict[int, Pupil] = {}
    for pupil, parent, *_ in links:
        contacts_of.setdefault(id(pupil), []).append(parent)
        pupils[id(pupil)] = pupil
    for key, parents in contacts_of.items():
        family = by_contacts.setdefault(
            tuple(id(parent) for parent in parents),
            _Family([], parents, pupils[key].pupil_premium),
        )
        family.pupils.append(pupils[key])
    return list(by_contacts.values())


@dataclass
class JoinPlan:
    """Who joined when (hours into the window), planned before anything is saved."""

    clock: Clock
    joined_at: dict[int, int]  # id(user) -> hour
    families: list[list[_Family]]  # by school plan


def families_join(*, plans, seed: int, now: datetime, skip: Iterable[User]) -> JoinPlan:
    """Choose which parents joined and when, and mark them active accounts that
    joined then; ``skip`` (the demo family's contacts) are left as they are."""
    rng = random.Random(f"demo-joins:{seed}")
    clock = Clock(now)
    skipped = {id(user) for user in skip}
    joined_at: dict[int, int] = {}
    families = []
    for plan in plans:
        school_families = [
            f for f in _families(plan.links) if not skipped & {id(p) for p in f.parents}
        ]
        families.append(school_families)
        for family in school_families:
            if rng.random() >= JOINED_SHARE[family.pupil_premium]:
                continue
            early = rng.random() < EARLY_JOINERS
            hour = (
                rng.randrange(min(30 * 24, len(clock.hours)))
                if early
                else rng.randrange(len(clock.hours))
            )
            joiners = family.parents[:1]
            if len(family.parents) > 1 and rng.random() < SECOND_PARENT_JOINS:
                joiners = family.parents[:2]
            for number, parent in enumerate(joiners):
                if id(parent) in joined_at:  # a contact shared with another family
                    continue
                later = hour + number * rng.randrange(24 * 14)
                joined_at[id(parent)] = min(later, len(clock.hours) - 1)
                parent.is_active = True
                parent.date_joined = clock.hours[joined_at[id(parent)]]
    return JoinPlan(clock=clock, joined_at=joined_at, families=families)


def parent_joined_at(plan: JoinPlan | None, parent: User) -> datetime | None:
    """When ``parent`` joined (their guardianships' ``confirmed_at``), if they did."""
    hour = plan.joined_at.get(id(parent)) if plan else None
    return None if hour is None else plan.clock.hours[hour]


# --- Writing ------------------------------------------------------------------------


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def rows_write(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (values of ``columns``) fast: COPY on PostgreSQL, otherwise
    ``bulk_create`` in batches. Rows are read as they come, never all held."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    for chunk in _chunks(rows, BATCH_SIZE):
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in chunk])


def _assignments_set(*, plans, clock: Clock, topics: list[Topic], seed: int) -> None:
    """Set each class the library topics its year group fits, at term-time dates
    across the year (ended or still open, never to come), as if its teacher had.
    A topic the class already has is not set again."""
    rng = random.Random(f"demo-assignments:{seed}")
    today = timezone.localdate(clock.end, SCHOOL_TIME_ZONE)
    mondays = [
        day
        for n in range(DAYS)
        if (day := today - timedelta(days=n)).weekday() == 0 and not in_holiday(day)
    ]
    classes = [c for plan in plans for c in plan.classes]
    taken = set(
        Assignment.objects.filter(school_class__in=classes).values_list(
            "school_class_id", "topic_id"
        )
    )
    told = datetime.combine(clock.start.date(), datetime.min.time(), tzinfo=SCHOOL_TIME_ZONE)
    new = []
    for school_class in classes:
        fitting = [
            t
            for t in sorted(topics, key=lambda topic: topic.title)
            if t.year_group_min <= school_class.year_group <= t.year_group_max
        ]
        for topic, starts_on in zip(
            fitting, sorted(rng.sample(mondays, len(fitting))), strict=True
        ):
            if (school_class.pk, topic.pk) in taken:
                continue
            new.append(
                Assignment(
                    topic=topic,
                    school_class=school_class,
                    starts_on=starts_on,
                    due_on=starts_on + timedelta(days=13),
                    start_notified_at=told,
                    reminder_sent_at=told,
                )
            )
    Assignment.objects.bulk_create(new, batch_size=BATCH_SIZE)


@dataclass(frozen=True)
class _Work:
    assignment: int
    topic: int
    starts_hour: int
    activities: tuple[int, ...]


def _work_by_class(plans, clock: Clock) -> dict[int, list[_Work]]:
    activities: dict[int, list[int]] = {}
    for topic_id, pk in Activity.objects.order_by("topic_id", "position").values_list(
        "topic_id", "pk"
    ):
        activities.setdefault(topic_id, []).append(pk)
    work: dict[int, list[_Work]] = {}
    classes = [c for plan in plans for c in plan.classes]
    for assignment in Assignment.objects.filter(school_class__in=classes):
        starts = datetime.combine(assignment.starts_on, datetime.min.time(), SCHOOL_TIME_ZONE)
        hour = max(0, int((starts - clock.start).total_seconds() // 3600))
        if hour >= len(clock.hours):
            continue
        work.setdefault(assignment.school_class_id, []).append(
            _Work(
                assignment.pk,
                assignment.topic_id,
                hour,
                tuple(activities.get(assignment.topic_id, ())),
            )
        )
    return work


def _family_events(
    rng,
    *,
    family: _Family,
    count: int,
    plan: JoinPlan,
    work,
    school_id: int,
    done: set,
    completions,
) -> Iterator[tuple]:
    """``count`` events of one family: (actor, school, pupil, kind, subject, at)."""
    clock = plan.clock
    parents = [p for p in family.parents if id(p) in plan.joined_at]
    fallback = next(share for share in EVENT_MIX if share.target is Target.SCHOOL)
    kinds = list(accumulate(share.weight for share in EVENT_MIX))
    for _ in range(count):
        parent = parents[0] if len(parents) == 1 or rng.random() < 0.7 else parents[1]
        hour, at = clock.moment(rng, after=plan.joined_at[id(parent)])
        share = EVENT_MIX[bisect_right(kinds, rng.random() * kinds[-1])]
        pupil = (
            family.pupils[rng.randrange(len(family.pupils))]
            if len(family.pupils) > 1
            else family.pupils[0]
        )
        started = [w for w in work.get(pupil.school_class_id, ()) if w.starts_hour <= hour]
        if share.target is Target.SCHOOL or not started:
            # The portal records a sign-in with a child of the school; one row keeps
            # the count of events what was asked for.
            yield (parent.pk, school_id, pupil.pk, fallback.kind, "", at)
            continue
        piece = started[rng.randrange(len(started))]
        if share.target is Target.COMPLETION:
            left = [a for a in piece.activities if (pupil.pk, a) not in done]
            if left:
                activity = left[rng.randrange(len(left))]
                done.add((pupil.pk, activity))
                completions.append((pupil.pk, activity, parent.pk, at))
                yield (parent.pk, school_id, pupil.pk, share.kind, f"activity:{activity}", at)
                continue
            share = next(s for s in EVENT_MIX if s.target is Target.ASSIGNMENT)
        if share.target is Target.ACTIVITY and piece.activities:
            activity = piece.activities[rng.randrange(len(piece.activities))]
            subject = f"activity:{activity}"
        elif share.target is Target.TOPIC:
            subject = f"topic:{piece.topic}"
        else:
            subject = assignment_reference(piece.assignment)
        yield (parent.pk, school_id, pupil.pk, share.kind, subject, at)


def demo_events_seed(
    *,
    plans,
    schools: list[School],
    join_plan: JoinPlan,
    topics: list[Topic],
    per_pupil: int,
    seed: int,
) -> int:
    """Set the year's work and write about ``per_pupil`` events per pupil, school
    by school; return how many events were written."""
    clock = join_plan.clock
    _assignments_set(plans=plans, clock=clock, topics=topics, seed=seed)
    work = _work_by_class(plans, clock)
    # On roll for the whole year the events cover.
    Pupil.objects.filter(school__in=schools).update(created_at=clock.start)
    written = 0
    for index, (plan, school, families) in enumerate(
        zip(plans, schools, join_plan.families, strict=True)
    ):
        rng = random.Random(f"demo-events:{seed}:{index}")
        weights = []
        for family in families:
            hours = [
                join_plan.joined_at[id(p)] for p in family.parents if id(p) in join_plan.joined_at
            ]
            if not hours or rng.random() < NEVER_ACTIVE_SHARE[family.pupil_premium]:
                weights.append(0.0)
                continue
            keenness = rng.lognormvariate(0, 1)
            weights.append(keenness * len(family.pupils) * clock.share_after(min(hours)))
        total = sum(weights) or 1.0
        budget = per_pupil * len(plan.pupils)
        counts = [round(budget * weight / total) for weight in weights]
        done: set[tuple[int, int]] = set()
        completions: list[tuple] = []
        rows = (
            row
            for family, count in zip(families, counts, strict=True)
            if count
            for row in _family_events(
                rng,
                family=family,
                count=count,
                plan=join_plan,
                work=work,
                school_id=school.pk,
                done=done,
                completions=completions,
            )
        )
        rows_write(Event, ["actor_id", "school_id", "pupil_id", "kind", "subject", "at"], rows)
        rows_write(
            Completion, ["pupil_id", "activity_id", "completed_by_id", "completed_at"], completions
        )
        written += sum(counts)
        # Events written in bulk bypass event_record: the reports' summary is rebuilt.
        summary_rebuild(school=school)
    last_event = Event.objects.filter(actor=OuterRef("pk")).order_by("-at").values("at")[:1]
    User.objects.filter(pk__in=[p.pk for p in _joined_parents(join_plan)]).update(
        last_active_at=Subquery(last_event)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Event, Completion, Assignment, Pupil, User):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return written


def _joined_parents(plan: JoinPlan) -> list[User]:
    seen: dict[int, User] = {}
    for families in plan.families:
        for family in families:
            for parent in family.parents:
                if id(parent) in plan.joined_at:
                    seen[id(parent)] = parent
    return list(seen.values())
