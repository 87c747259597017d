"""A teacher's nudge: an engagement message to the families of chosen pupils
about a piece of work set for their class.

One message per family (parent) and channel, naming each of their chosen
children; at most one nudge per family and piece of work in any 7 days. The
outbox applies the parent's channel preferences and quiet hours
(``notifications.policy``). The assignment row is locked while the nudges are
written, so two clicks (or two teachers) one after the other send once; the
unique constraint on ``Nudge`` (piece of work, parent, local day) stops a double
send on a database without row locks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import nudge_pupils_of
from accounts.models import User
from accounts.names import names_joined
from audit.services import audit_record
from engagement.models import Nudge
from engagement.selectors.families import school_timezone
from engagement.selectors.nudges import NUDGE_TEMPLATE, FamilyToNudge, nudge_plan
from learning.models import Assignment
from learning.services.assignments import (
    assignment_reference,
    assignment_sms_shorter,
    child_assignment_link,
    format_school_date,
)
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.offboarded import offboarded_message, school_takes_new_data


class NudgeError(Exception):
    """A nudge that cannot be sent, with a message for the teacher."""


@dataclass(frozen=True)
class NudgeResult:
    families: int
    messages: int
    without_parent: int
    recently_nudged: int
    not_messageable: int


def _messages(assignment: Assignment, family: FamilyToNudge, *, day: str) -> list[OutgoingMessage]:
    school = assignment.school_class.school
    links = [
        {
            "name": child.first_name or "your child",
            "link": child_assignment_link(pupil_id=child.pk, assignment_id=assignment.pk),
        }
        for child in family.children
    ]
    context = {
        "parent_name": family.parent.first_name,
        "school_name": school.name_for_parents,
        "class_name": assignment.school_class.name,
        "topic_title": assignment.topic.title,
        "children": names_joined([child.first_name for child in family.children]),
        "child_links": links,
        "link": links[0]["link"],
        "due_on": format_school_date(assignment.due_on),
    }
    shorter = assignment_sms_shorter(context)
    return [
        OutgoingMessage(
            recipient=family.parent,
            to_address=address,
            channel=channel,
            kind=Message.Kind.ENGAGEMENT,
            template=NUDGE_TEMPLATE,
            context=context,
            shorter_contexts=shorter if channel == Message.Channel.SMS else (),
            idempotency_key=f"nudge:{assignment.pk}:parent-{family.parent.pk}:{day}:{channel}",
            reference=assignment_reference(assignment.pk),
        )
        for channel, address in family.channels
    ]


def nudges_send(*, assignment: Assignment, pupil_ids: Iterable[int], actor: User) -> NudgeResult:
    """Nudge the families of ``pupil_ids`` (pupils on roll in the assignment's class
    whom ``actor`` teaches; others are ignored) about ``assignment``. Raises
    NudgeError when nobody would get one."""
    pupil_ids = sorted(set(pupil_ids))
    try:
        with transaction.atomic():
            # Nudges about one piece of work are written one after the other.
            Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
            school_class = assignment.school_class
            if not school_takes_new_data(school_id=school_class.school_id):
                raise NudgeError(offboarded_message(school_class.school))
            now = timezone.now()
            pupils = nudge_pupils_of(actor, assignment.school_class, pupil_ids)
            plan = nudge_plan(assignment=assignment, pupils=pupils, now=now)
            if not plan.families:
                raise NudgeError(
                    "Nobody to nudge: none of these families can get a message about this "
                    "work now (no parent has joined, they were nudged about it in the last "
                    "7 days, or they take no messages like this)."
                )
            day = now.astimezone(school_timezone()).date()
            Nudge.objects.bulk_create(
                [
                    Nudge(
                        assignment=assignment,
                        parent=family.parent,
                        sent_by=actor,
                        sent_at=now,
                        sent_on=day,
                    )
                    for family in plan.families
                ]
            )
            message_ids = messages_queue(
                messages=[
                    message
                    for family in plan.families
                    for message in _messages(assignment, family, day=day.isoformat())
                ]
            )
            result = NudgeResult(
                families=len(plan.families),
                messages=len(message_ids),
                without_parent=plan.without_parent,
                recently_nudged=plan.recently_nudged,
                not_messageable=plan.not_messageable,
            )
            audit_record(
                actor=actor,
                action="nudge.send",
                subject=assignment,
                school=assignment.school_class.school,
                changes={
                    "pupils": list(pupils.values_list("pk", flat=True)),
                    "parents": [family.parent.pk for family in plan.families],
                    "messages": result.messages,
                    "skipped_recently_nudged": result.recently_nudged,
                    "skipped_no_parent": result.without_parent,
                    "skipped_no_channel": result.not_messageable,
                },
            )
    except IntegrityError as error:
        raise NudgeError("These families were nudged about this work just now.") from error
    return result
