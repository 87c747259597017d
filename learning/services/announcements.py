"""Telling families about work set: when it starts, and once, two days before
it is due, if their child has not finished it.

Who is told: the parents of the class's pupils on roll whose guardianship is
confirmed and not ended. A parent gets one message per channel they have an
address for (email, SMS), naming all their children in the class. Whether a
channel is wanted (preferences, quiet hours, a restricted or closed account) is
the outbox's business (``notifications.services.messages_queue``).

Both periodic runs work ``BATCH_SIZE`` assignments at a time, each batch in its
own transaction with a fixed number of queries; rows another run has locked are
skipped, and ``start_notified_at`` / ``reminder_sent_at`` (with the messages'
idempotency keys) make a second run send nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from accounts.names import names_joined
from learning.models import Activity, Assignment, Completion
from learning.services.assignments import (
    SCHOOL_TIME_ZONE,
    assignment_reference,
    assignment_sms_shorter,
    child_assignment_link,
    format_school_date,
    school_today,
)
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.models import Guardianship

REMINDER_DAYS_BEFORE_DUE = 2
# Assignments handled in one transaction by the periodic runs.
BATCH_SIZE = 50
STARTED_TEMPLATE = "assignment_started"
REMINDER_TEMPLATE = "assignment_reminder"


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
        "starts_on": format_school_date(assignment.starts_on),
        "due_on": format_school_date(assignment.due_on),
    }
    shorter = assignment_sms_shorter(context)
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
