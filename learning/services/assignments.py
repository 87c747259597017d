"""Setting work: a topic set for classes with a start and a due date.

- ``assignments_create`` sets one topic for several classes at once, all or
  nothing. Work starting today is announced as soon as the change commits;
  later work is announced by the hourly run (``learning.services.announcements``).
- ``assignment_update`` and ``assignment_delete`` change or withdraw work that
  has not started yet (families have not been told about it).

Dates are school dates: "today" is the date in England (``school_today``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone

from accounts import access
from accounts.models import User
from accounts.names import ascii_only
from audit.services import audit_record
from learning.models import Assignment, Topic
from schools.models import School, SchoolClass
from schools.offboarded import offboarded_message

SCHOOL_TIME_ZONE = ZoneInfo("Europe/London")
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


def format_school_date(day: date) -> str:
    return formats.date_format(day, "l j F")


def assignment_sms_shorter(context: dict) -> tuple[dict, dict]:
    """Plainer, shorter wordings of a message about a piece of work, tried in turn
    when its text message would not fit two segments."""
    return (
        {
            **context,
            "school_name": ascii_only(context["school_name"])[:40],
            "topic_title": ascii_only(context["topic_title"])[:40],
            "children": ascii_only(context["children"])[:40] or "your child",
        },
        {**context, "school_name": ascii_only(context["school_name"])[:30], "short": True},
    )


def _already_set_message(school_class: SchoolClass, starts_on: date) -> str:
    return f"{school_class.name} already has this topic from {format_school_date(starts_on)}."


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
    left_portal = set(
        School.objects.filter(
            pk__in={school_class.school_id for school_class in classes},
            status=School.Status.OFFBOARDED,
        ).values_list("pk", flat=True)
    )
    for school_class in classes:
        if school_class.school_id in left_portal:
            class_errors.append(offboarded_message(school_class.school))
        elif school_class.pk not in assignable:
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
    for assignment in assignments:
        _audit(
            assignment,
            school_class=assignment.school_class,
            action="assignment.create",
            actor=actor,
        )
    if starts_on <= today:
        _notify_started_on_commit(assignment.pk for assignment in assignments)
    return assignments


def _audit(
    assignment: Assignment, *, school_class: SchoolClass, action: str, actor: User, **changes
) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=assignment,
        school=school_class.school,
        changes={
            "topic": assignment.topic_id,
            "class": assignment.school_class_id,
            "starts_on": assignment.starts_on,
            "due_on": assignment.due_on,
            **changes,
        },
    )


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
    before = {"starts_on": locked.starts_on, "due_on": locked.due_on, "message": locked.message}
    locked.starts_on, locked.due_on, locked.message = starts_on, due_on, message
    locked.save(update_fields=["starts_on", "due_on", "message"])
    after = {"starts_on": starts_on, "due_on": due_on, "message": message}
    _audit(
        locked,
        school_class=assignment.school_class,
        action="assignment.update",
        actor=actor,
        # The message is the teacher's words to families: whether it changed, not what it says.
        changed=[name for name in after if after[name] != before[name]],
        starts_on=[before["starts_on"], starts_on],
        due_on=[before["due_on"], due_on],
    )
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
    _audit(locked, school_class=assignment.school_class, action="assignment.delete", actor=actor)
    locked.delete()
