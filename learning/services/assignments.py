"""Setting work: a topic set for classes, families told when it starts and
reminded once, two days before it is due, if their child has not finished it.

- ``assignments_create`` sets one topic for several classes at once, all or
  nothing. Work starting today is announced as soon as the change commits;
  later work is announced by the hourly ``assignments_notify_started``.
- ``assignment_update`` and ``assignment_delete`` change or withdraw work that
  has not started yet (families have not been told about it).
- ``assignments_remind_due`` sends the one reminder.

Who is told: the parents of the class's pupils on roll whose guardianship is
confirmed and not ended. A parent gets one message per channel they have an
address for (email, SMS), naming all their children in the class. Whether a
channel is wanted (preferences, quiet hours, a restricted or closed account) is
the outbox's business (``notifications.services.messages_queue``).

Dates are school dates: "today" is the date in England (``school_today``).
Both periodic runs work ``BATCH_SIZE`` assignments at a time, each batch in its
own transaction with a fixed number of queries; rows another run has locked are
skipped, and ``start_notified_at`` / ``reminder_sent_at`` (with the messages'
idempotency keys) make a second run send nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from functools import partial
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import formats, timezone

from accounts import access
from accounts.models import User
from accounts.names import ascii_only, names_joined
from learning.models import Activity, Assignment, Completion, Topic
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.models import Guardianship, SchoolClass

SCHOOL_TIME_ZONE = ZoneInfo("Europe/London")
REMINDER_DAYS_BEFORE_DUE = 2
# Assignments handled in one transaction by the periodic runs.
BATCH_SIZE = 50
STARTED_TEMPLATE = "assignment_started"
REMINDER_TEMPLATE = "assignment_reminder"
REFERENCE_PREFIX = "assignment:"


class AssignmentStartedError(Exception):
    """Families have been told about this work, so it can no longer be changed or withdrawn."""


def school_today() -> date:
    """Today's date where the schools are (England), whatever the server's zone."""
    return timezone.localdate(timezone=SCHOOL_TIME_ZONE)


def assignment_reference(assignment_id: int) -> str:
    """How messages (``Message.reference``) and events (``Event.subject``) name an assignment."""
    return f"{REFERENCE_PREFIX}{assignment_id}"


def child_assignment_link(*, pupil_id: int, assignment_id: int) -> str:
    """The full address of the work in the child's space."""
    path = f"children/{pupil_id}/assignments/{assignment_id}/"
    return f"{settings.SITE_URL.rstrip('/')}/{path}"


def assignment_has_started(assignment: Assignment, *, today: date | None = None) -> bool:
    """Started: its start date has come, or families have already been told."""
    today = today or school_today()
    return assignment.start_notified_at is not None or assignment.starts_on <= today


MESSAGE_MAX_LENGTH = Assignment._meta.get_field("message").max_length


def _check_fields(
    *, starts_on: date, due_on: date, message: str, today: date
) -> dict[str, list[str]]:
    """What is wrong with the dates and message, by field."""
    errors: dict[str, list[str]] = {}
    if len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = [f"Keep the message to {MESSAGE_MAX_LENGTH} characters."]
    if starts_on < today:
        errors["starts_on"] = ["The start date cannot be in the past."]
    if due_on < starts_on:
        errors["due_on"] = ["The due date must be on or after the start date."]
    return errors


def _date(day: date) -> str:
    return formats.date_format(day, "l j F")


def _already_set_message(school_class: SchoolClass, starts_on: date) -> str:
    return f"{school_class.name} already has this topic from {_date(starts_on)}."


def _notify_started_on_commit(assignment_ids: Iterable[int]) -> None:
    """Announce work starting today once the change commits, rather than at the next
    hourly run. robust: a broker that is down must not undo the teacher's change;
    the hourly run then announces it."""
    from learning.tasks import assignment_notify_started_task

    for assignment_id in assignment_ids:
        transaction.on_commit(
            partial(assignment_notify_started_task.delay, assignment_id), robust=True
        )


@transaction.atomic
def assignments_create(
    *,
    topic: Topic,
    school_classes: Iterable[SchoolClass],
    starts_on: date,
    due_on: date,
    message: str = "",
    actor: User,
) -> list[Assignment]:
    """Set ``topic`` for each of ``school_classes``: one assignment per class, all
    or none. Raises ValidationError (keyed by ``school_classes``, ``starts_on``,
    ``due_on``, ``message``) saying what stops it, writing nothing."""
    classes = sorted(
        {school_class.pk: school_class for school_class in school_classes}.values(),
        key=lambda school_class: (school_class.name, school_class.pk),
    )
    message = message.strip()
    today = school_today()
    errors = _check_fields(starts_on=starts_on, due_on=due_on, message=message, today=today)
    if not topic.published:
        errors[NON_FIELD_ERRORS] = ["This topic is a draft: it can be set once it is ready."]
    class_errors = []
    if not classes:
        class_errors.append("Choose at least one class.")
    assignable = set(
        access.classes_assignable_by(actor)
        .filter(pk__in=[school_class.pk for school_class in classes])
        .values_list("pk", flat=True)
    )
    for school_class in classes:
        if school_class.pk not in assignable:
            class_errors.append(f"You cannot set work for {school_class.name}.")
        elif topic.school_id is not None and topic.school_id != school_class.school_id:
            class_errors.append(f"This topic belongs to another school than {school_class.name}.")
    already_set = set(
        Assignment.objects.filter(
            topic=topic,
            starts_on=starts_on,
            school_class__in=[school_class.pk for school_class in classes],
        ).values_list("school_class_id", flat=True)
    )
    for school_class in classes:
        if school_class.pk in already_set:
            class_errors.append(_already_set_message(school_class, starts_on))
    if class_errors:
        errors["school_classes"] = class_errors
    if errors:
        raise ValidationError(errors)
    assignments = [
        Assignment(
            topic=topic,
            school_class=school_class,
            set_by=actor,
            starts_on=starts_on,
            due_on=due_on,
            message=message,
        )
        for school_class in classes
    ]
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(assignments)
    except IntegrityError as error:
        # Someone set the same topic for one of these classes a moment ago.
        raise ValidationError(
            {
                "school_classes": [
                    "This topic was just set for one of these classes. Check the list."
                ]
            }
        ) from error
    if starts_on <= today:
        _notify_started_on_commit(assignment.pk for assignment in assignments)
    return assignments


def _locked(assignment: Assignment) -> Assignment:
    """The assignment's row, locked against the periodic runs, and fresh."""
    locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        raise Assignment.DoesNotExist("This assignment no longer exists.")
    return locked


@transaction.atomic
def assignment_update(
    *, assignment: Assignment, actor: User, starts_on: date, due_on: date, message: str
) -> Assignment:
    """Change the dates or message of work that has not started. Raises
    AssignmentStartedError once it has, ValidationError for dates that do not fit."""
    message = message.strip()
    locked = _locked(assignment)
    today = school_today()
    if assignment_has_started(locked, today=today):
        raise AssignmentStartedError(
            "This work has started and families have been told, so it can no longer be changed."
        )
    errors = _check_fields(starts_on=starts_on, due_on=due_on, message=message, today=today)
    if (
        Assignment.objects.filter(
            topic_id=locked.topic_id, school_class_id=locked.school_class_id, starts_on=starts_on
        )
        .exclude(pk=locked.pk)
        .exists()
    ):
        errors.setdefault("starts_on", []).append(
            _already_set_message(assignment.school_class, starts_on)
        )
    if errors:
        raise ValidationError(errors)
    locked.starts_on, locked.due_on, locked.message = starts_on, due_on, message
    locked.save(update_fields=["starts_on", "due_on", "message"])
    assignment.starts_on, assignment.due_on, assignment.message = (
        locked.starts_on,
        locked.due_on,
        locked.message,
    )
    if starts_on <= today:
        _notify_started_on_commit([locked.pk])
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, actor: User) -> None:
    """Withdraw work that has not started; AssignmentStartedError once it has."""
    locked = _locked(assignment)
    if assignment_has_started(locked):
        raise AssignmentStartedError(
            "This work has started and families have been told, so it can no longer be withdrawn."
        )
    locked.delete()


# --- Telling families ------------------------------------------------------------


def _recipient_rows(assignment_ids: list[int], *, unfinished_only: bool) -> QuerySet:
    """One row per (assignment, parent, child) to tell: children on roll in the
    assignment's class and their parents with a confirmed, live guardianship;
    with ``unfinished_only``, only children with an activity of the topic not done.
    Ordered so that each assignment's parents come together."""
    rows = Guardianship.objects.filter(
        confirmed_at__isnull=False,
        ended_at__isnull=True,
        parent__is_active=True,
        parent__closed_at__isnull=True,
        parent__processing_restricted=False,
        pupil__removed_by_school_at__isnull=True,
        pupil__anonymised_at__isnull=True,
        pupil__school_class__assignments__in=assignment_ids,
    ).annotate(
        # The same join as the filter above: the assignment this row is for.
        assignment_id=F("pupil__school_class__assignments__pk"),
        topic_id=F("pupil__school_class__assignments__topic_id"),
    )
    if unfinished_only:
        not_done = Activity.objects.filter(topic_id=OuterRef("topic_id")).exclude(
            pk__in=Completion.objects.filter(pupil_id=OuterRef(OuterRef("pupil_id"))).values(
                "activity_id"
            )
        )
        rows = rows.filter(Exists(not_done))
    return rows.select_related("parent", "pupil").order_by(
        "assignment_id", "parent_id", "pupil__first_name", "pupil_id"
    )


def _messages_for_parent(
    assignment: Assignment, guardianships: list[Guardianship], *, purpose: str, template: str
) -> list[OutgoingMessage]:
    """The messages telling one parent about one assignment, one per channel they
    have an address for, naming each of their children it is about. An SMS falls
    back to plainer, shorter wording to fit two segments."""
    parent = guardianships[0].parent
    children = [guardianship.pupil for guardianship in guardianships]
    links = [
        {
            "name": child.first_name or "your child",
            "link": child_assignment_link(pupil_id=child.pk, assignment_id=assignment.pk),
        }
        for child in children
    ]
    context = {
        "parent_name": parent.first_name,
        "school_name": assignment.school_class.school.name,
        "class_name": assignment.school_class.name,
        "topic_title": assignment.topic.title,
        "topic_summary": assignment.topic.summary,
        "teacher_message": assignment.message,
        "children": names_joined([child.first_name for child in children]),
        "several": len(children) > 1,
        "child_links": links,
        "link": links[0]["link"],
        "starts_on": _date(assignment.starts_on),
        "due_on": _date(assignment.due_on),
    }
    shorter = (
        {
            **context,
            "school_name": ascii_only(context["school_name"])[:40],
            "topic_title": ascii_only(context["topic_title"])[:40],
            "children": ascii_only(context["children"])[:40] or "your child",
        },
        {**context, "school_name": ascii_only(context["school_name"])[:30], "short": True},
    )
    addresses = [(Message.Channel.EMAIL, parent.email), (Message.Channel.SMS, parent.mobile)]
    return [
        OutgoingMessage(
            recipient=parent,
            to_address=address,
            channel=channel,
            kind=Message.Kind.ENGAGEMENT,
            template=template,
            context=context,
            shorter_contexts=shorter if channel == Message.Channel.SMS else (),
            idempotency_key=f"assignment-{purpose}:{assignment.pk}:parent-{parent.pk}:{channel}",
            reference=assignment_reference(assignment.pk),
        )
        for channel, address in addresses
        if address
    ]


def _messages(
    assignments: dict[int, Assignment], *, unfinished_only: bool, purpose: str, template: str
) -> Iterator[OutgoingMessage]:
    rows = _recipient_rows(list(assignments), unfinished_only=unfinished_only)
    for (assignment_id, _parent_id), group in groupby(
        rows, key=lambda row: (row.assignment_id, row.parent_id)
    ):
        yield from _messages_for_parent(
            assignments[assignment_id], list(group), purpose=purpose, template=template
        )


def _due_for_start(*, today: date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(start_notified_at__isnull=True, starts_on__lte=today)


def _due_for_reminder(*, today: date) -> QuerySet[Assignment]:
    """Started work due within ``REMINDER_DAYS_BEFORE_DUE`` days and not yet past due.
    Work set for so short a time that its reminder day is not after its start day
    gets no reminder (the start message says when it is due); it is skipped."""
    return Assignment.objects.filter(
        reminder_sent_at__isnull=True,
        start_notified_at__isnull=False,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_DUE),
    )


def _gets_reminder(assignment: Assignment) -> bool:
    reminder_day = assignment.due_on - timedelta(days=REMINDER_DAYS_BEFORE_DUE)
    return reminder_day > assignment.starts_on


@transaction.atomic
def _notify_batch(
    candidates: QuerySet[Assignment], *, after_pk: int, size: int, now: datetime, reminder: bool
) -> tuple[int, int | None]:
    """Tell the families of up to ``size`` due assignments after ``after_pk``; returns
    how many assignments were handled and the last primary key looked at (None when
    there were none). Five queries or so, whatever the number of families."""
    today = timezone.localdate(now, timezone=SCHOOL_TIME_ZONE)
    batch = list(
        candidates.select_for_update(of=("self",), skip_locked=True)
        .select_related("topic", "school_class__school")
        .filter(pk__gt=after_pk)
        .order_by("pk")[:size]
    )
    if not batch:
        return 0, None
    if reminder:
        to_tell = {assignment.pk: assignment for assignment in batch if _gets_reminder(assignment)}
    else:
        # Work found only after its due date (the runs were stopped) is not announced.
        to_tell = {assignment.pk: assignment for assignment in batch if assignment.due_on >= today}
    if to_tell:
        messages_queue(
            messages=_messages(
                to_tell,
                unfinished_only=reminder,
                purpose="reminder" if reminder else "started",
                template=REMINDER_TEMPLATE if reminder else STARTED_TEMPLATE,
            )
        )
    if reminder:
        Assignment.objects.filter(pk__in=list(to_tell)).update(reminder_sent_at=now)
    else:
        Assignment.objects.filter(pk__in=[a.pk for a in batch]).update(start_notified_at=now)
    return len(to_tell), batch[-1].pk


def _notify_all(candidates: QuerySet[Assignment], *, batch_size: int, reminder: bool) -> int:
    now = timezone.now()
    handled = 0
    after_pk = 0
    while True:
        count, last_pk = _notify_batch(
            candidates, after_pk=after_pk, size=batch_size, now=now, reminder=reminder
        )
        handled += count
        if last_pk is None:
            return handled
        after_pk = last_pk


def assignments_notify_started(*, batch_size: int = BATCH_SIZE) -> int:
    """Tell the families of every assignment whose start date has come and who have
    not been told; returns how many assignments were announced. Run hourly."""
    return _notify_all(_due_for_start(today=school_today()), batch_size=batch_size, reminder=False)


def assignment_notify_started(*, assignment_id: int) -> int:
    """Tell the families about one assignment now, if it has started and they have
    not been told (work set to start today); returns 1 if it was announced."""
    candidates = _due_for_start(today=school_today()).filter(pk=assignment_id)
    return _notify_all(candidates, batch_size=1, reminder=False)


def assignments_remind_due(*, batch_size: int = BATCH_SIZE) -> int:
    """Send the one reminder for every started assignment due within two days, to
    the parents whose child has not done all of the topic's activities; returns how
    many assignments were due their reminder. Run hourly."""
    return _notify_all(
        _due_for_reminder(today=school_today()), batch_size=batch_size, reminder=True
    )
