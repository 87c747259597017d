"""A school's own settings, changed by its admins: the name parents see, the
contact details on parents' Help page, and whether families' feedback is checked
before staff see it."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from audit.services import audit_record
from schools.models import School

SETTINGS_FIELDS = ("parent_facing_name", "contact_email", "contact_phone", "moderate_feedback")


@transaction.atomic
def school_settings_update(
    *,
    school: School,
    parent_facing_name: str,
    contact_email: str,
    contact_phone: str,
    moderate_feedback: bool,
    actor: User,
) -> list[str]:
    """Save the school's settings; returns the names of the fields that changed.

    The audit entry names the fields changed (and the moderation switch's old and
    new value), not the contact details themselves."""
    locked = School.objects.select_for_update().get(pk=school.pk)
    values = {
        "parent_facing_name": parent_facing_name.strip(),
        "contact_email": contact_email.strip().lower(),
        "contact_phone": contact_phone.strip(),
        "moderate_feedback": moderate_feedback,
    }
    changed = [name for name in SETTINGS_FIELDS if getattr(locked, name) != values[name]]
    if not changed:
        return []
    changes: dict[str, object] = {"fields": changed}
    if "moderate_feedback" in changed:
        changes["moderate_feedback"] = [locked.moderate_feedback, moderate_feedback]
    for name in changed:
        setattr(locked, name, values[name])
        setattr(school, name, values[name])
    locked.save(update_fields=changed)
    audit_record(actor=actor, action="school.settings_update", subject=locked, changes=changes)
    return changed
