from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from consent.models import ConsentRecord, PrivacyNotice, Purpose


@dataclass(frozen=True)
class ConsentState:
    """The current state of one purpose for one user, and how it came about."""

    purpose: str
    label: str
    granted: bool
    changed_at: datetime | None = None
    method: str | None = None
    method_label: str | None = None
    notice_version: str | None = None


def consent_current(*, user: User, purpose: str) -> bool:
    """Whether ``user`` currently consents to ``purpose`` (no record: no consent)."""
    granted = (
        ConsentRecord.objects.filter(user=user, purpose=purpose)
        .order_by("-created_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(granted)


def consents_for_user(*, user: User) -> list[ConsentState]:
    """Every purpose, in the order of ``Purpose``, with its current state (one query)."""
    newest = (
        ConsentRecord.objects.filter(user=user)
        .select_related("notice")
        .annotate(
            newest_rank=Window(
                RowNumber(),
                partition_by=[F("purpose")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(newest_rank=1)
    )
    by_purpose = {record.purpose: record for record in newest}
    states = []
    for purpose in Purpose:
        record = by_purpose.get(purpose.value)
        if record is None:
            states.append(ConsentState(purpose=purpose.value, label=purpose.label, granted=False))
            continue
        states.append(
            ConsentState(
                purpose=purpose.value,
                label=purpose.label,
                granted=record.granted,
                changed_at=record.created_at,
                method=record.method,
                method_label=record.get_method_display(),
                notice_version=record.notice.version if record.notice else None,
            )
        )
    return states


def user_needs_reconsent(*, user: User) -> bool:
    """True when a notice requiring re-consent has been published since the notice the
    user's newest platform consent was given under. A user who never gave platform
    consent (staff, for instance) has nothing to renew."""
    newest_grant = (
        ConsentRecord.objects.filter(user=user, purpose=Purpose.PLATFORM, granted=True)
        .select_related("notice")
        .order_by("-created_at", "-id")
        .first()
    )
    if newest_grant is None:
        return False
    later_notices = PrivacyNotice.objects.published().filter(requires_reconsent=True)
    if newest_grant.notice is not None and newest_grant.notice.published_at is not None:
        later_notices = later_notices.filter(published_at__gt=newest_grant.notice.published_at)
    return later_notices.exists()
