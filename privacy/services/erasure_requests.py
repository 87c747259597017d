"""A request to erase an account that staff must check first: one with a staff role
at a school or on the platform. The person asks from the erasure page; staff answer
it from the request queue within 30 days."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from privacy.models import PrivacyRequest
from privacy.selectors import erasure_request_pending
from privacy.services.requests import privacy_request_open


@transaction.atomic
def erasure_request_open(*, user, actor) -> PrivacyRequest:
    """The open erasure request about ``user``'s account, opened now unless one
    already is (the account row is locked, so two clicks open one)."""
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    existing = erasure_request_pending(user=user)
    if existing is not None:
        return existing
    return privacy_request_open(
        kind=PrivacyRequest.Kind.ERASURE,
        actor=actor,
        requester=user,
        subject_user=user,
        details="Asked for erasure from their account settings.",
    )
