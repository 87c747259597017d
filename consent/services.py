from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from consent.models import ConsentRecord, Method, PrivacyNotice, Purpose, wording_digest


class NoticeAlreadyPublishedError(Exception):
    pass


def _consent_record(
    *,
    user: User,
    purpose: str,
    granted: bool,
    wording: str,
    method: str,
    notice: PrivacyNotice | None,
) -> ConsentRecord:
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    if method not in Method.values:
        raise ValueError(f"Unknown consent method: {method!r}")
    if notice is not None and not notice.is_published:
        raise ValueError("Consent can only be recorded against a published notice.")
    # Locking the user's row serialises every write to this user's chain, so two
    # requests at once cannot both append after the same record.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    previous_hash = (
        ConsentRecord.objects.filter(user=user)
        .order_by("-id")
        .values_list("record_hash", flat=True)
        .first()
    ) or ""
    record = ConsentRecord(
        user=user,
        purpose=purpose,
        granted=granted,
        notice=notice,
        wording=wording,
        wording_hash=wording_digest(wording),
        method=method,
        created_at=timezone.now(),
        previous_hash=previous_hash,
    )
    record.record_hash = record.compute_hash()
    record.save()
    # The user gives or withdraws their own consent: they are the actor.
    audit_record(
        actor=user,
        action="consent.grant" if granted else "consent.withdraw",
        subject=record,
        changes={"purpose": purpose, "method": method, "notice": notice},
    )
    return record


@transaction.atomic
def consent_grant(
    *,
    user: User,
    purpose: str,
    wording: str,
    method: str,
    notice: PrivacyNotice | None = None,
) -> ConsentRecord:
    """Record that ``user`` gave consent for ``purpose`` after being shown ``wording``."""
    return _consent_record(
        user=user, purpose=purpose, granted=True, wording=wording, method=method, notice=notice
    )


@transaction.atomic
def consent_withdraw(
    *,
    user: User,
    purpose: str,
    wording: str,
    method: str,
    notice: PrivacyNotice | None = None,
) -> ConsentRecord:
    """Record that ``user`` withdrew consent for ``purpose``; effective at once."""
    return _consent_record(
        user=user, purpose=purpose, granted=False, wording=wording, method=method, notice=notice
    )


@transaction.atomic
def consent_records_erase(*, user: User) -> int:
    """Delete every consent record of ``user``: the erasure path, and the only one.
    Returns the number of records deleted."""
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    return ConsentRecord.objects.filter(user=user)._erase()


@transaction.atomic
def notice_publish(*, notice: PrivacyNotice, actor: User) -> PrivacyNotice:
    """Publish a draft notice now; it becomes the current notice."""
    notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.is_published:
        raise NoticeAlreadyPublishedError(f"{notice} was already published.")
    notice.published_at = timezone.now()
    notice.published_by = actor
    notice.save(update_fields=["published_at", "published_by"])
    audit_record(
        actor=actor,
        action="privacy_notice.publish",
        subject=notice,
        changes={"version": notice.version, "requires_reconsent": notice.requires_reconsent},
    )
    return notice


def _newest_state(*, user: User, purpose: str) -> bool | None:
    return (
        ConsentRecord.objects.filter(user=user, purpose=purpose)
        .order_by("-created_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )


@transaction.atomic
def consent_change(
    *,
    user: User,
    purpose: str,
    granted: bool,
    wording: str,
    method: str,
    notice: PrivacyNotice | None = None,
) -> ConsentRecord | None:
    """Grant or withdraw ``purpose`` unless that is already its state (a repeated click
    writes nothing). Returns the new record, or None when nothing changed."""
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    if _newest_state(user=user, purpose=purpose) is granted:
        return None
    return _consent_record(
        user=user,
        purpose=purpose,
        granted=granted,
        wording=wording,
        method=method,
        notice=notice,
    )


@transaction.atomic
def cookie_choices_record(
    *, user: User, choices: dict[str, bool], wordings: dict[str, str], method: str
) -> list[ConsentRecord]:
    """Record a signed-in user's cookie choice: one record per cookie purpose whose
    state it changes (the first choice records every purpose)."""
    unknown = set(choices) - {Purpose.COOKIES_PERFORMANCE, Purpose.COOKIES_FUNCTIONAL}
    if unknown:
        raise ValueError(f"Not cookie purposes: {sorted(unknown)}")
    records = []
    for purpose in sorted(choices):
        record = consent_change(
            user=user,
            purpose=purpose,
            granted=choices[purpose],
            wording=wordings[purpose],
            method=method,
        )
        if record is not None:
            records.append(record)
    return records
