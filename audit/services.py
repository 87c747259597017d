"""Writes to the audit trail and the security log.

``audit_record`` is called by every service that makes a change on someone's
behalf, inside that service's transaction: the change and its record commit or
roll back together. Nothing in ordinary code deletes an AuditEntry, so there is
no service for it; erasure (to come, in ``privacy/``) redacts entries instead:
it removes personal data from ``changes`` and sets ``redacted_at``.

``security_event_record`` writes one SecurityEvent; the receivers in
``audit.receivers`` call it for sign-ins, second factors and password changes.
``security_events_purge`` deletes events past the retention period.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from accounts.clients import client_ip
from accounts.lookup import email_lookup_hash
from audit.context import current_request
from audit.models import AuditEntry, SecurityEvent
from schools.models import School

if TYPE_CHECKING:
    from accounts.models import User

# noun.verb, lower case, e.g. invitation.revoke or roster_import.apply.
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
ACTION_MAX_LENGTH = AuditEntry._meta.get_field("action").max_length
USER_AGENT_MAX_LENGTH = SecurityEvent._meta.get_field("user_agent").max_length
# Events deleted by one DELETE in security_events_purge: memory and lock time
# stay bounded however many events have expired.
PURGE_BATCH_SIZE = 5000


class _RecordEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder (dates, times, Decimals, UUIDs, lazy strings), plus model
    instances as their primary key and sets as sorted lists."""

    def default(self, o):
        if isinstance(o, models.Model):
            return o.pk
        if isinstance(o, set | frozenset):
            return sorted(o, key=str)
        return super().default(o)


def _plain_json(value: dict[str, Any] | None) -> dict[str, Any]:
    """``value`` as plain JSON data, converted once here so that the row written
    and the instance returned hold the same thing. TypeError if it cannot be."""
    if not value:
        return {}
    return json.loads(json.dumps(value, cls=_RecordEncoder))


def _user_or_none(user) -> User | None:
    """A signed-in user, or None for no one (the anonymous user included)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def audit_record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    school: School | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``subject``, in the caller's transaction.

    No transaction of its own: one INSERT is atomic already, and the entry must
    commit or roll back with the change it records. ``actor`` is None for system
    work. The school, when not given, is the subject itself if it is a School, or
    the subject's ``school``. ``changes`` may hold dates, Decimals and model
    instances (stored as their primary key); keep names and other personal data
    out of it where an id will do.
    """
    if not isinstance(action, str) or not (
        len(action) <= ACTION_MAX_LENGTH and ACTION_PATTERN.fullmatch(action)
    ):
        raise ValueError(f"An action is noun.verb in lower case, not {action!r}.")
    subject_type = subject_id = ""
    school_id = school.pk if school is not None else None
    if subject is not None:
        if subject.pk is None:
            raise ValueError("The subject of an audit entry must be saved first.")
        subject_type = subject._meta.label_lower
        subject_id = str(subject.pk)
        if school_id is None:
            if isinstance(subject, School):
                school_id = subject.pk
            else:
                school_id = getattr(subject, "school_id", None)
    return AuditEntry.objects.create(
        actor=_user_or_none(actor),
        action=action,
        school_id=school_id,
        subject_type=subject_type,
        subject_id=subject_id,
        changes=_plain_json(changes),
    )


def _client_ip(request: HttpRequest) -> str | None:
    """The client's IP address (``accounts.clients``: behind trusted proxies, the
    client's, not the proxy's); None when it is not a valid address."""
    return client_ip(request)


def security_event_record(
    *,
    kind: str,
    user: User | None = None,
    request: HttpRequest | None = None,
    email_tried: str | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Record a security event, with the IP address and browser of the request.

    ``request`` defaults to the request being served (``audit.context``), if any;
    ``user`` to that request's signed-in user. The anonymous user is stored as
    None. ``email_tried`` (at a failed sign-in) is stored only as a keyed hash.
    ``details`` holds ids and paths, never names or emails.
    """
    if kind not in SecurityEvent.Kind.values:
        raise ValueError(f"Unknown security event kind {kind!r}.")
    if request is None:
        request = current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    ip_address = user_agent = None
    if request is not None:
        ip_address = _client_ip(request)
        user_agent = request.headers.get("user-agent", "")[:USER_AGENT_MAX_LENGTH]
    return SecurityEvent.objects.create(
        kind=kind,
        user=_user_or_none(user),
        ip_address=ip_address,
        user_agent=user_agent or "",
        email_hash=email_lookup_hash(email_tried) if email_tried else "",
        details=_plain_json(details),
    )


def security_events_purge(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE
) -> int:
    """Delete security events older than ``SECURITY_EVENT_RETENTION_DAYS``; return
    how many.

    In batches of ``batch_size`` primary keys, each DELETE committed on its own:
    a backlog of millions neither fills memory nor holds one long transaction,
    and a run stopped half way is simply finished by the next one.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_EVENT_RETENTION_DAYS)
    expired = SecurityEvent.objects.filter(at__lt=cutoff).order_by()
    deleted = 0
    while True:
        batch = list(expired.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        count, _ = SecurityEvent.objects.filter(pk__in=batch).delete()
        deleted += count
