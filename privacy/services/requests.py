"""Privacy requests: opened by the person (or by staff on their behalf), worked on
and closed by staff; each step audited."""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_record
from privacy.models import PrivacyRequest


@transaction.atomic
def privacy_request_open(
    *,
    kind: str,
    actor,
    requester=None,
    subject_user=None,
    subject_pupil=None,
    school=None,
    details: str = "",
) -> PrivacyRequest:
    """Record a request; it is due 30 days after it was received."""
    if kind not in PrivacyRequest.Kind.values:
        raise ValueError(f"Unknown kind of privacy request: {kind!r}")
    if subject_user is None and subject_pupil is None:
        raise ValueError("A privacy request is about a person: give subject_user or subject_pupil.")
    request = PrivacyRequest.objects.create(
        kind=kind,
        requester=requester,
        subject_user=subject_user,
        subject_pupil=subject_pupil,
        school=school if school is not None else getattr(subject_pupil, "school", None),
        details=details,
    )
    audit_record(
        actor=actor,
        action="privacy_request.open",
        subject=request,
        school=request.school,
        changes={"kind": kind, "due_at": request.due_at},
    )
    return request
