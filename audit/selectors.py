"""Reads of the audit trail and security log for a school's admins.

The callers have already passed the checkpoint
(``accounts.access.administered_school_or_404``): these functions are handed the
school the viewer administers and read only that school's rows.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Membership, User
from audit.models import AuditEntry, SecurityEvent
from schools.models import School

# What a school's security page shows of its staff: signing in and out and
# everything about their credentials (not pupil records opened or refusals,
# which are about the pupils, not the account).
STAFF_SIGN_IN_KINDS = (
    SecurityEvent.Kind.SIGN_IN,
    SecurityEvent.Kind.SIGN_IN_FAILED,
    SecurityEvent.Kind.SIGN_OUT,
    SecurityEvent.Kind.SECOND_FACTOR_PASSED,
    SecurityEvent.Kind.SECOND_FACTOR_FAILED,
    SecurityEvent.Kind.DEVICE_ADDED,
    SecurityEvent.Kind.DEVICE_REMOVED,
    SecurityEvent.Kind.BACKUP_CODES_REGENERATED,
    SecurityEvent.Kind.PASSWORD_CHANGED,
    SecurityEvent.Kind.PASSWORD_RESET,
)

# The kinds a school admin should notice.
STAFF_FAILURE_KINDS = (SecurityEvent.Kind.SIGN_IN_FAILED, SecurityEvent.Kind.SECOND_FACTOR_FAILED)

# What the pages show of each row and person: no password hashes or other
# columns carried into the templates.
_PERSON_FIELDS = ("first_name", "last_name", "email")
_ENTRY_FIELDS = ("at", "actor", "action", "school", "subject_type", "subject_id")
_EVENT_FIELDS = ("at", "kind", "user", "ip_address", "user_agent")


def audit_entries_for_school(
    *,
    school: School,
    action: str = "",
    actor_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """The school's audit entries, newest first, with their actors: optionally one
    action, one actor, and a period [start, end)."""
    entries = AuditEntry.objects.filter(school=school)
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if start is not None:
        entries = entries.filter(at__gte=start)
    if end is not None:
        entries = entries.filter(at__lt=end)
    return (
        entries.select_related("actor")
        .only(*_ENTRY_FIELDS, *(f"actor__{name}" for name in _PERSON_FIELDS))
        .order_by("-at", "-pk")
    )


def audit_actions_for_school(*, school: School) -> list[str]:
    """The actions recorded at the school, for the log's filter."""
    return list(
        AuditEntry.objects.filter(school=school)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def school_staff_by_name(*, school: School) -> QuerySet[User]:
    """The school's staff (admins and teachers), by name, for the log's filter."""
    staff_ids = Membership.objects.filter(school=school).values("user_id")
    return (
        User.objects.filter(pk__in=staff_ids)
        .only(*_PERSON_FIELDS)
        .order_by("last_name", "first_name", "pk")
    )


def security_events_for_school_staff(*, school: School) -> QuerySet[SecurityEvent]:
    """Sign-in and credential activity of the school's own staff, newest first.

    Only accounts with a membership at this school: never parents, never another
    school's staff (someone on the staff of two schools shows at both), and not
    failed sign-ins for emails without an account.
    """
    staff_ids = Membership.objects.filter(school=school).values("user_id")
    return (
        SecurityEvent.objects.filter(user_id__in=staff_ids, kind__in=STAFF_SIGN_IN_KINDS)
        .select_related("user")
        .only(*_EVENT_FIELDS, *(f"user__{name}" for name in _PERSON_FIELDS))
        .order_by("-at", "-pk")
    )


def accounts_signed_in_between(*, start: datetime, end: datetime) -> QuerySet:
    """The ids of the accounts that signed in during [start, end), as a subquery
    (``user_id`` values; an account may appear more than once)."""
    return SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_IN, user__isnull=False, at__gte=start, at__lt=end
    ).values("user_id")


def audit_last_at(*, school: School, action: str) -> datetime | None:
    """When ``action`` was last recorded at ``school`` (None if never): the
    offboarding page shows when a school admin last exported the school's data."""
    return (
        AuditEntry.objects.filter(school=school, action=action)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
