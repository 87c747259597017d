"""An incident's notices: to the admins of every affected school, and to every
affected parent or carer, through the outbox.

The words are the incident's own (what happened, what we are doing, who to
contact), written by platform staff, inside a fixed frame
(``templates/notifications/incident_school`` and ``incident_family``). Each
notice has an idempotency key per incident and recipient (and channel), so
sending again, after the scope grew say, reaches only those not yet told.

They are legal notices (the outbox's ``legal`` kind): telling people their data was in
a breach is a duty owed to them, so they reach closed accounts (whose data is
held until it is deleted) and restricted ones too, and ignore channel
preferences and quiet hours. Each parent is told on every channel they have an
address for, by email and by text, so the notice reaches them however they
read it; a parent with neither is counted as unreachable, for the school to tell.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.names import ascii_only, names_joined
from audit.services import audit_record
from notifications.policy import channel_available
from notifications.services import OutgoingMessage, messages_queue
from privacy.models import Incident
from privacy.registry import category
from privacy.selectors import (
    EMAIL,
    SMS,
    incident_affected,
    incident_school_notice_recipients,
    notice_reference,
)
from privacy.services.incidents import IncidentError, locked_open_incident

SCHOOL_TEMPLATE = "incident_school"
FAMILY_TEMPLATE = "incident_family"
# Links (and so parents) read from the database at a time.
FAMILY_CHUNK_SIZE = 2000
SCHOOL_FALLBACK = "your child's school"
# The outbox's kind for notices the law requires (notifications' LEGAL).
LEGAL = "legal"


def incident_notice_blockers(*, incident: Incident) -> list[str]:
    """What must be in place before the notices can go, in words; none when they can."""
    if incident.closed_at is not None:
        return ["This incident is closed: nothing more can be recorded on it."]
    if not incident.scope_kind:
        return ["Set the scope first: it says who is affected."]
    missing = [
        label
        for label, value in (
            ("what happened", incident.notice_summary),
            ("what we are doing", incident.notice_actions),
            ("who to contact", incident.notice_contact),
        )
        if not value
    ]
    if missing:
        return [f"Write the notice first: {', '.join(missing)}."]
    return []


def _ready_to_send(incident: Incident) -> None:
    blockers = incident_notice_blockers(incident=incident)
    if blockers:
        raise IncidentError(" ".join(blockers))


def _frame(incident: Incident) -> dict[str, str]:
    """What every notice of the incident says, whoever it goes to."""
    return {
        "found_on": date_format(timezone.localtime(incident.found_at), "j F Y"),
        "summary": incident.notice_summary,
        "actions": incident.notice_actions,
        "contact": incident.notice_contact,
    }


def _data_affected(incident: Incident) -> list[str]:
    described = []
    for name in incident.data_categories:
        try:
            described.append(category(name).description)
        except KeyError:
            continue
    return described


# --- Schools ---------------------------------------------------------------------


def _school_messages(incident: Incident) -> Iterator[OutgoingMessage]:
    """One notice per admin of an affected school, naming each of their schools
    affected with how many of its people are."""
    affected = incident_affected(incident=incident)
    counts = affected.counts_by_school(list(affected.schools.values_list("pk", flat=True)))
    frame = {**_frame(incident), "data_affected": _data_affected(incident)}
    reference = notice_reference(incident, "schools")
    recipients = incident_school_notice_recipients(incident=incident)
    for _user_id, memberships in groupby(recipients, key=lambda row: row.user_id):
        memberships = list(memberships)
        admin = memberships[0].user
        if admin.email:
            channel = EMAIL
        elif admin.mobile and channel_available(SMS):
            channel = SMS
        else:
            continue
        schools = [
            {"name": membership.school.name, **counts[membership.school_id]}
            for membership in memberships
        ]
        context = {
            **frame,
            "admin_name": admin.first_name,
            "schools": schools,
            "school_names": names_joined([school["name"] for school in schools]),
        }
        context["school_name"] = context["school_names"]  # the email's header
        yield OutgoingMessage(
            recipient=admin,
            channel=channel,
            template=SCHOOL_TEMPLATE,
            context=context,
            # A text past two parts names the schools shorter, without the contact.
            shorter_contexts=[
                {
                    **context,
                    "school_names": ascii_only(context["school_names"])[:40],
                    "contact": "",
                }
            ],
            idempotency_key=f"incident:{incident.pk}:school-admin:{admin.pk}",
            kind=LEGAL,
            reference=reference,
        )


@transaction.atomic
def incident_notify_schools(*, incident: Incident, actor) -> int:
    """Queue the notice to each affected school's admins; returns how many were
    queued now (none for those already told)."""
    locked = locked_open_incident(incident)
    _ready_to_send(locked)
    messages = list(_school_messages(locked))
    queued = messages_queue(messages=messages)
    now = timezone.now()
    first = locked.schools_notified_at is None
    if first:
        locked.schools_notified_at = now
    locked.school_notices += len(queued)
    locked.save(update_fields=["schools_notified_at", "school_notices"])
    audit_record(
        actor=actor,
        action="incident.notify_schools",
        subject=locked,
        changes={
            "admins": len(messages),
            "queued": len(queued),
            "already_sent": len(messages) - len(queued),
            "first_sent_at": locked.schools_notified_at,
            "on_time": locked.schools_notified_at <= locked.schools_due_at,
        },
    )
    return len(queued)


# --- Families --------------------------------------------------------------------


class _FamilyTally:
    def __init__(self) -> None:
        self.parents = 0
        self.unreachable = 0
        self.closed = 0
        self.restricted = 0


def _family_messages(incident: Incident, tally: _FamilyTally) -> Iterator[OutgoingMessage]:
    """Each affected parent's notices, one per channel they have an address for,
    naming the schools through which they are affected; read in chunks."""
    links = (
        incident_affected(incident=incident)
        .links.select_related("parent", "pupil__school")
        .order_by("parent_id", "pk")
    )
    frame = _frame(incident)
    reference = notice_reference(incident, "families")
    for _parent_id, group in groupby(
        links.iterator(chunk_size=FAMILY_CHUNK_SIZE), key=lambda link: link.parent_id
    ):
        group = list(group)
        parent = group[0].parent
        tally.parents += 1
        tally.closed += parent.closed_at is not None
        tally.restricted += parent.processing_restricted
        channels = [
            channel
            for channel, address in (
                (EMAIL, parent.email),
                (SMS, parent.mobile),
            )
            # No text while SMS is disabled: a parent with a mobile alone is unreachable.
            if address and channel_available(channel)
        ]
        if not channels:
            tally.unreachable += 1
            continue
        schools = sorted({link.pupil.school.name_for_parents for link in group})
        context = {
            **frame,
            "parent_name": parent.first_name,
            "school_names": names_joined(schools, fallback=SCHOOL_FALLBACK),
            "school_name": names_joined(schools, fallback=""),  # the email's header
            "several_schools": len(schools) > 1,
            "emailed": EMAIL in channels,
            # A parent reached only by text gets what happened in it, if it fits.
            "sms_summary": EMAIL not in channels,
        }
        plainer = {
            **context,
            "school_names": ascii_only(context["school_names"])[:40] or SCHOOL_FALLBACK,
            "several_schools": False,
            "sms_summary": False,
        }
        for channel in channels:
            yield OutgoingMessage(
                recipient=parent,
                channel=channel,
                template=FAMILY_TEMPLATE,
                context=context,
                # A text that would run past two parts says less.
                shorter_contexts=[
                    {**context, "sms_summary": False},
                    plainer,
                    {**plainer, "contact": ""},
                ],
                idempotency_key=f"incident:{incident.pk}:family:{parent.pk}:{channel}",
                kind=LEGAL,
                reference=reference,
            )


@transaction.atomic
def incident_notify_families(*, incident: Incident, actor) -> int:
    """Queue the notice to every affected parent or carer, in batches; returns how
    many messages were queued now (none for those already told)."""
    locked = locked_open_incident(incident)
    _ready_to_send(locked)
    tally = _FamilyTally()
    queued = messages_queue(messages=_family_messages(locked, tally))
    first = locked.families_notified_at is None
    if first:
        locked.families_notified_at = timezone.now()
    locked.family_notices += len(queued)
    locked.save(update_fields=["families_notified_at", "family_notices"])
    audit_record(
        actor=actor,
        action="incident.notify_families",
        subject=locked,
        changes={
            "parents": tally.parents,
            "queued": len(queued),
            "unreachable": tally.unreachable,
            "closed_accounts": tally.closed,
            "restricted_accounts": tally.restricted,
            "first_sent_at": locked.families_notified_at,
        },
    )
    return len(queued)
