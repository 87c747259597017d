"""Privacy requests: opened by the person (or by staff on their behalf), worked on
and closed by staff; each step audited.

A request is open, then in progress once someone starts on it, then closed for
good: done (with what was done) or refused (with the reason). A closed request
cannot be changed again; every step checks that under a lock on the row, so two
people pressing at once change it once and the other is told why not.

Audit entries hold ids, kinds, statuses and dates only: never what the person
asked for nor the outcome staff wrote, which may name a family.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.services import processing_restriction_set
from audit.services import audit_record
from privacy.models import PrivacyRequest

Status = PrivacyRequest.Status


class PrivacyRequestError(Exception):
    """A step that cannot be taken, with a message for the person who tried."""


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
    received_at: datetime | None = None,
) -> PrivacyRequest:
    """Record a request; it is due 30 days after it was received.

    ``actor`` is the person themselves (from their account) or staff recording a
    request made by letter, phone or in person, possibly some days ago
    (``received_at``, never in the future)."""
    if kind not in PrivacyRequest.Kind.values:
        raise ValueError(f"Unknown kind of privacy request: {kind!r}")
    if subject_user is None and subject_pupil is None:
        raise ValueError("A privacy request is about a person: give subject_user or subject_pupil.")
    now = timezone.now()
    if received_at is None:
        received_at = now
    elif received_at > now:
        raise PrivacyRequestError("A request cannot have been received in the future.")
    request = PrivacyRequest.objects.create(
        kind=kind,
        requester=requester,
        subject_user=subject_user,
        subject_pupil=subject_pupil,
        school=school if school is not None else getattr(subject_pupil, "school", None),
        details=details,
        received_at=received_at,
    )
    audit_record(
        actor=actor,
        action="privacy_request.open",
        subject=request,
        school=request.school,
        changes={
            "kind": kind,
            "received_at": request.received_at,
            "due_at": request.due_at,
            "subject_user": request.subject_user_id,
            "subject_pupil": request.subject_pupil_id,
            "on_behalf": requester is None or getattr(actor, "pk", None) != requester.pk,
        },
    )
    return request


def _locked_open(privacy_request: PrivacyRequest) -> PrivacyRequest:
    """The request's row, locked until the transaction ends; refused if closed."""
    locked = (
        PrivacyRequest.objects.select_for_update(of=("self",))
        .select_related("school", "subject_user", "subject_pupil")
        .get(pk=privacy_request.pk)
    )
    if not locked.is_open:
        closed_on = date_format(timezone.localdate(locked.closed_at), "j F Y")
        raise PrivacyRequestError(
            f"This request was closed ({locked.get_status_display().lower()}) on {closed_on} "
            "and cannot be changed."
        )
    return locked


@transaction.atomic
def privacy_request_start(*, privacy_request: PrivacyRequest, actor) -> PrivacyRequest:
    """Mark an open request as being worked on."""
    locked = _locked_open(privacy_request)
    if locked.status == Status.IN_PROGRESS:
        raise PrivacyRequestError("Work on this request has already started.")
    locked.status = Status.IN_PROGRESS
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="privacy_request.start",
        subject=locked,
        school=locked.school,
        changes={"kind": locked.kind, "status": [Status.OPEN, Status.IN_PROGRESS]},
    )
    return locked


def _close(locked: PrivacyRequest, *, actor, status: str, outcome: str, action: str):
    outcome = (outcome or "").strip()
    if not outcome:
        raise PrivacyRequestError(
            "Say what was done." if status == Status.DONE else "Give the reason for refusing."
        )
    before = locked.status
    locked.status = status
    locked.outcome = outcome
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "outcome", "closed_at"])
    audit_record(
        actor=actor,
        action=action,
        subject=locked,
        school=locked.school,
        changes={
            "kind": locked.kind,
            "status": [before, status],
            "due_at": locked.due_at,
            "closed_at": locked.closed_at,
            "late": locked.closed_at > locked.due_at,
        },
    )
    return locked


@transaction.atomic
def privacy_request_close(*, privacy_request: PrivacyRequest, actor, outcome: str):
    """Close the request as done, saying what was done."""
    locked = _locked_open(privacy_request)
    return _close(
        locked, actor=actor, status=Status.DONE, outcome=outcome, action="privacy_request.close"
    )


@transaction.atomic
def privacy_request_refuse(*, privacy_request: PrivacyRequest, actor, reason: str):
    """Close the request as refused, giving the reason (told to the person)."""
    locked = _locked_open(privacy_request)
    return _close(
        locked, actor=actor, status=Status.REFUSED, outcome=reason, action="privacy_request.refuse"
    )


def _today() -> str:
    return date_format(timezone.localdate(), "j F Y")


@transaction.atomic
def privacy_request_restrict(
    *, privacy_request: PrivacyRequest, actor, restricted: bool
) -> PrivacyRequest:
    """Restrict the processing of the parent's data the request is about (or lift the
    restriction), on their request, and close the request saying so."""
    locked = _locked_open(privacy_request)
    if locked.kind != PrivacyRequest.Kind.RESTRICTION or locked.subject_user is None:
        raise PrivacyRequestError("Only a restriction request about a parent restricts an account.")
    changed = processing_restriction_set(
        user=locked.subject_user, restricted=restricted, actor=actor
    )
    if restricted:
        outcome = f"Processing of the parent's data restricted on {_today()}"
    else:
        outcome = f"Restriction on the parent's data lifted on {_today()}"
    if not changed:
        outcome += " (it already was)"
    return _close(
        locked,
        actor=actor,
        status=Status.DONE,
        outcome=outcome + ".",
        action="privacy_request.close",
    )


@transaction.atomic
def privacy_request_erase(*, privacy_request: PrivacyRequest, actor) -> PrivacyRequest:
    """Erase the personal data of the parent the request is about
    (``privacy.services.erasure.user_erase``) and close the request, in one
    transaction: the erasure and the record that it was done commit together."""
    from privacy.services.erasure import user_erase

    locked = _locked_open(privacy_request)
    if locked.kind != PrivacyRequest.Kind.ERASURE or locked.subject_user is None:
        raise PrivacyRequestError("Only an erasure request about a parent erases an account.")
    counts = user_erase(user=locked.subject_user, actor=actor, reason="request")
    # Erasure redacts the requests about the person (this one included): read it again.
    locked.refresh_from_db()
    total = sum(counts.values()) if counts else 0
    return _close(
        locked,
        actor=actor,
        status=Status.DONE,
        outcome=f"The parent's personal data was erased on {_today()} ({total} records).",
        action="privacy_request.close",
    )
