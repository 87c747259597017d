"""The personal data audit holds: audit entries about or by a person, security
events, and the Django admin's own change log.

Audit entries are never deleted: erasure redacts them (every text in ``changes``,
however deeply nested, is replaced and ``redacted_at`` set), so the school keeps
the fact that something was done, when and by which account."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from accounts.lookup import email_lookup_hash
from audit.models import AuditEntry, SecurityEvent
from privacy.registry import SCHOOL_ONLY, USER, DataCategory, iso, register

REDACTED = "[redacted]"


def redacted(value: Any) -> Any:
    """``value`` with every string inside it, at any depth, replaced; keys, numbers,
    booleans and None stay, so the shape of what changed is kept."""
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    if isinstance(value, str):
        return REDACTED
    return value


def _about(subject) -> Q:
    return Q(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


@register
class AuditEntryCategory(DataCategory):
    """For a user: the entries they made and those about their account. For a
    pupil: the entries about the pupil and those whose ``changes`` name the pupil
    (``{"pupil": <id>}``, as learning's entries do). Redacting keeps the actor
    link; it goes when the account row itself is deleted (SET_NULL)."""

    name = "audit_entries"
    description = "Who did what on someone's behalf, and when."
    models = ("audit.AuditEntry",)
    # The school's record of who did what; a parent's own entries come with their export.
    parent_copy = SCHOOL_ONLY

    def _rows(self, *, user=None, pupil=None):
        if user is not None:
            return AuditEntry.objects.filter(Q(actor=user) | _about(user))
        return AuditEntry.objects.filter(_about(pupil) | Q(changes__pupil=pupil.pk))

    def _export(self, rows):
        return [
            {
                "action": row.action,
                "at": iso(row.at),
                "subject": row.subject_label,
                "changes": row.changes,
                "redacted_at": iso(row.redacted_at),
            }
            for row in rows.order_by("at", "pk")
        ]

    def export_user(self, user):
        return self._export(self._rows(user=user))

    def export_pupil(self, pupil):
        return self._export(self._rows(pupil=pupil))

    def _redact(self, rows):
        now = timezone.now()
        entries = list(rows.only("pk", "changes"))
        for entry in entries:
            entry.changes = redacted(entry.changes)
            entry.redacted_at = now
        AuditEntry.objects.bulk_update(entries, ["changes", "redacted_at"], batch_size=500)
        return len(entries)

    def erase_user(self, user):
        return self._redact(self._rows(user=user))

    def erase_pupil(self, pupil):
        return self._redact(self._rows(pupil=pupil))


@register
class SecurityEventCategory(DataCategory):
    """Deleted on erasure (they are deleted after 90 days anyway), including failed
    sign-ins that kept only the keyed hash of the account's email."""

    name = "security_events"
    description = "Sign-ins, second factors and refusals: when, from which address and browser."
    models = ("audit.SecurityEvent",)
    subjects = (USER,)

    def _rows(self, user):
        query = Q(user=user)
        if user.email:
            query |= Q(email_hash=email_lookup_hash(user.email))
        return SecurityEvent.objects.filter(query)

    def export_user(self, user):
        return [
            {
                "kind": row.kind,
                "at": iso(row.at),
                "ip_address": row.ip_address,
                "user_agent": row.user_agent,
            }
            for row in self._rows(user).order_by("at", "pk")
        ]

    def erase_user(self, user):
        return self._rows(user).delete()[0]


@register
class AdminLogCategory(DataCategory):
    """The admin's log of what platform staff changed. Entries about the person
    (whose ``object_repr`` is their name) are redacted, not deleted; entries a
    staff member made go with their account (the foreign key cascades)."""

    name = "admin_log"
    description = "Changes platform staff made in the admin about a person, and those staff made."
    models = ("admin.LogEntry",)
    parent_copy = SCHOOL_ONLY

    def _about(self, subject):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(subject._meta.model),
            object_id=str(subject.pk),
        )

    def _export(self, rows):
        return [
            {
                "action_time": iso(row.action_time),
                "object": row.object_repr,
                "change": row.get_change_message(),
            }
            for row in rows.order_by("action_time", "pk")
        ]

    def export_user(self, user):
        return self._export(self._about(user) | LogEntry.objects.filter(user=user))

    def export_pupil(self, pupil):
        return self._export(self._about(pupil))

    def erase_user(self, user):
        return self._about(user).update(object_repr=REDACTED, change_message="")

    def erase_pupil(self, pupil):
        return self._about(pupil).update(object_repr=REDACTED, change_message="")
