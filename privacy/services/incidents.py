"""The breach register: platform staff record an incident, set the scope that works
out who it affects, record the report to the ICO (or the decision not to report),
look back on it and close it. The notices are in ``privacy.services.notices``.

Each step locks the incident and writes one audit entry with ids, counts and
dates only: the texts staff write are never copied into the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from privacy.models import Incident
from privacy.registry import categories
from privacy.selectors import incident_affected, incident_affected_counts

# What incident_update may change. When it was found is not among them: the
# deadlines count from it.
EDITABLE_FIELDS = (
    "title",
    "description",
    "data_categories",
    "notice_summary",
    "notice_actions",
    "notice_contact",
)


class IncidentError(Exception):
    """The step cannot be taken as asked; the message says why, for staff."""


def _categories_checked(names: Iterable[str]) -> list[str]:
    known = [category.name for category in categories()]
    names = list(dict.fromkeys(names))
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise IncidentError(f"Unknown categories of data: {', '.join(unknown)}.")
    return sorted(names, key=known.index)


def locked_open_incident(incident: Incident) -> Incident:
    """``incident`` read again under its row lock (the caller's instance, so it
    sees what the step changes); IncidentError once it is closed."""
    incident.refresh_from_db(from_queryset=Incident.objects.select_for_update())
    if incident.closed_at is not None:
        raise IncidentError("This incident is closed: nothing more can be recorded on it.")
    return incident


def _on_time(done_at: datetime, due_at: datetime) -> bool:
    return done_at <= due_at


@transaction.atomic
def incident_record(
    *,
    title: str,
    found_at: datetime,
    description: str,
    actor,
    data_categories: Iterable[str] = (),
    notice_summary: str = "",
    notice_actions: str = "",
    notice_contact: str = "",
) -> Incident:
    """Record an incident the portal became aware of at ``found_at``; the deadlines
    count from then."""
    now = timezone.now()
    if found_at > now:
        raise IncidentError("When it was found cannot be in the future.")
    incident = Incident.objects.create(
        title=title.strip(),
        found_at=found_at,
        recorded_by=actor,
        recorded_at=now,
        description=description.strip(),
        data_categories=_categories_checked(data_categories),
        notice_summary=notice_summary.strip(),
        notice_actions=notice_actions.strip(),
        notice_contact=notice_contact.strip(),
    )
    audit_record(
        actor=actor,
        action="incident.record",
        subject=incident,
        changes={
            "found_at": incident.found_at,
            "data_categories": incident.data_categories,
            "ico_due_at": incident.ico_due_at,
        },
    )
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, actor, **fields) -> list[str]:
    """Change the incident's texts or the data affected; returns the names of the
    fields that changed (audited by name, never their words)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise IncidentError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    locked = locked_open_incident(incident)
    if "data_categories" in fields:
        fields["data_categories"] = _categories_checked(fields["data_categories"])
    changed = []
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if changed:
        locked.save(update_fields=changed)
        audit_record(
            actor=actor, action="incident.update", subject=locked, changes={"fields": changed}
        )
    return changed


@transaction.atomic
def incident_scope_set(
    *,
    incident: Incident,
    kind: str,
    actor,
    schools: Iterable = (),
    classes: Iterable = (),
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    template: str = "",
    channel: str = "",
) -> Incident:
    """Set the scope that works out who the incident affects, and record how many
    schools and people of each kind it reaches now.

    Setting it again (more turned up) is allowed, even after notices went: sending
    again reaches only those not yet told."""
    locked = locked_open_incident(incident)
    schools, classes = list(schools), list(classes)
    if kind == Incident.ScopeKind.SCHOOLS and not schools:
        raise IncidentError("Choose at least one school.")
    if kind == Incident.ScopeKind.CLASSES and not classes:
        raise IncidentError("Choose at least one class.")
    windowed = kind in (Incident.ScopeKind.MESSAGES, Incident.ScopeKind.SIGN_INS)
    if windowed and (starts_at is None or ends_at is None or starts_at >= ends_at):
        raise IncidentError("Give a time window whose start comes before its end.")
    if kind not in Incident.ScopeKind.values:
        raise IncidentError(f"Unknown kind of scope: {kind!r}.")
    locked.scope_kind = kind
    locked.scope_from = starts_at if windowed else None
    locked.scope_until = ends_at if windowed else None
    locked.scope_template = template if kind == Incident.ScopeKind.MESSAGES else ""
    locked.scope_channel = channel if kind == Incident.ScopeKind.MESSAGES else ""
    locked.scope_set_at = timezone.now()
    locked.save()
    locked.scope_schools.set(schools if kind == Incident.ScopeKind.SCHOOLS else [])
    locked.scope_classes.set(classes if kind == Incident.ScopeKind.CLASSES else [])
    counts = incident_affected_counts(incident=locked)
    audit_record(
        actor=actor,
        action="incident.scope",
        subject=locked,
        changes={
            "kind": kind,
            "schools": sorted(school.pk for school in schools),
            "classes": sorted(school_class.pk for school_class in classes),
            "from": locked.scope_from,
            "until": locked.scope_until,
            "template": locked.scope_template,
            "channel": locked.scope_channel,
            "affected_schools": counts.schools,
            "affected_parents": counts.parents,
            "affected_pupils": counts.pupils,
            "affected_staff": counts.staff,
        },
    )
    return locked


@transaction.atomic
def incident_report_record(
    *,
    incident: Incident,
    actor,
    reported: bool,
    at: datetime | None = None,
    reference: str = "",
    reason: str = "",
) -> Incident:
    """Record the report to the ICO (when, and its reference), or the decision not
    to report and why. A decision not to report can later give way to a report;
    a report stands."""
    locked = locked_open_incident(incident)
    now = timezone.now()
    at = at or now
    if at > now:
        raise IncidentError("The report cannot be dated in the future.")
    # Typed to the minute: the minute it was found is not before it.
    if at < locked.found_at.replace(second=0, microsecond=0):
        raise IncidentError("The report cannot come before the incident was found.")
    if locked.ico_reported_at is not None:
        raise IncidentError("The report to the ICO is already recorded.")
    if reported:
        locked.ico_reported_at = at
        locked.ico_reference = reference.strip()
        locked.ico_not_reported_at = None
        locked.ico_not_reported_reason = ""
    else:
        if not reason.strip():
            raise IncidentError("Say why the incident is not reported to the ICO.")
        locked.ico_not_reported_at = at
        locked.ico_not_reported_reason = reason.strip()
    locked.save(
        update_fields=[
            "ico_reported_at",
            "ico_reference",
            "ico_not_reported_at",
            "ico_not_reported_reason",
        ]
    )
    audit_record(
        actor=actor,
        action="incident.report",
        subject=locked,
        changes={
            "reported": reported,
            "at": at,
            "on_time": _on_time(at, locked.ico_due_at),
            "reference_given": bool(locked.ico_reference),
        },
    )
    return locked


@transaction.atomic
def incident_retrospective_record(*, incident: Incident, text: str, actor) -> Incident:
    """Record (or rewrite) what was learned and what changes; due 7 days after it
    was found."""
    if not text.strip():
        raise IncidentError("Write the retrospective first.")
    locked = locked_open_incident(incident)
    first = locked.retrospective_at is None
    locked.retrospective = text.strip()
    if first:
        locked.retrospective_at = timezone.now()
    locked.save(update_fields=["retrospective", "retrospective_at"])
    audit_record(
        actor=actor,
        action="incident.retrospective",
        subject=locked,
        changes={
            "recorded_at": locked.retrospective_at,
            "rewritten": not first,
            "on_time": _on_time(locked.retrospective_at, locked.retrospective_due_at),
        },
    )
    return locked


def incident_close_blockers(*, incident: Incident) -> list[str]:
    """What must be done before ``incident`` can be closed, in words; none when it can."""
    blockers = []
    if not incident.scope_kind:
        blockers.append("Set the scope: who the incident affects.")
    if incident.ico_decided_at is None:
        blockers.append("Record the report to the ICO, or the decision not to report.")
    if (
        incident.schools_notified_at is None
        and incident.scope_kind
        and incident_affected(incident=incident).schools.exists()
    ):
        blockers.append("Tell the affected schools.")
    if incident.retrospective_at is None:
        blockers.append("Record the retrospective.")
    return blockers


@transaction.atomic
def incident_close(*, incident: Incident, actor) -> Incident:
    """Close the incident once every step is done; nothing more is recorded on it."""
    locked = locked_open_incident(incident)
    blockers = incident_close_blockers(incident=locked)
    if blockers:
        raise IncidentError(" ".join(blockers))
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    audit_record(
        actor=actor,
        action="incident.close",
        subject=locked,
        changes={
            "closed_at": locked.closed_at,
            "school_notices": locked.school_notices,
            "family_notices": locked.family_notices,
        },
    )
    return locked
