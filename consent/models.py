"""Privacy notices and the append-only, hash-chained consent ledger.

Each ConsentRecord carries ``record_hash``: a SHA-256 over a canonical serialisation
of its fields and ``previous_hash`` (the hash of the same user's previous record,
empty for the first). Changing, removing or reordering a row breaks the chain, and
``manage.py check_consent_ledger`` finds it. Rows are written only by
``consent.services`` and removed only by ``consent_records_erase``.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class LedgerImmutableError(Exception):
    """Consent records are never changed or deleted, except by erasure."""


def wording_digest(wording: str) -> str:
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def record_digest(
    *,
    user_id: int,
    purpose: str,
    granted: bool,
    notice_id: int | None,
    wording_hash: str,
    method: str,
    created_at: datetime,
    previous_hash: str,
) -> str:
    """The hash of one record: the same inputs always give the same hash, whatever
    the database, because every value is serialised in one fixed way."""
    canonical = json.dumps(
        {
            "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "granted": bool(granted),
            "method": method,
            "notice": notice_id,
            "previous_hash": previous_hash,
            "purpose": purpose,
            "user": user_id,
            "wording_hash": wording_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def current(self) -> "PrivacyNotice | None":
        """The newest published notice, or None before any is published."""
        return self.published().order_by("-published_at", "-id").first()


class PrivacyNotice(models.Model):
    """One version of the privacy notice. Unpublished (``published_at`` empty) is a draft."""

    version = models.CharField(max_length=20, unique=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(help_text="The full notice.")
    summary_of_changes = models.TextField(
        help_text="What changed since the last version, in plain language."
    )
    requires_reconsent = models.BooleanField(
        default=False,
        help_text="Signed-in users must consent again before they continue.",
    )

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"

    @classmethod
    def current(cls) -> "PrivacyNotice | None":
        return cls.objects.current()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Purpose(models.TextChoices):
    PLATFORM = "platform", "Using the platform"
    MEDIA_PROMOTION = "media_promotion", "Photos and comments used to promote the programme"
    MARKETING_EMAIL = "marketing_email", "Marketing email"
    COOKIES_PERFORMANCE = "cookies_performance", "Performance cookies"
    COOKIES_FUNCTIONAL = "cookies_functional", "Functional cookies"


class Method(models.TextChoices):
    REGISTRATION = "registration", "When registering"
    SETTINGS = "settings", "In privacy settings"
    BANNER = "banner", "From the cookie banner"
    RECONSENT = "reconsent", "When a new privacy notice was published"


class ConsentRecordQuerySet(models.QuerySet):
    """Refuses bulk writes: every record goes through consent.services so it is chained."""

    def update(self, **kwargs):
        raise LedgerImmutableError("Consent records cannot be updated.")

    def delete(self):
        raise LedgerImmutableError(
            "Consent records cannot be deleted, except by consent_records_erase."
        )

    def bulk_create(self, *args, **kwargs):
        raise LedgerImmutableError("Consent records are created one by one by consent.services.")

    def bulk_update(self, *args, **kwargs):
        raise LedgerImmutableError("Consent records cannot be updated.")

    def _erase(self) -> int:
        """Erasure only (consent.services.consent_records_erase)."""
        deleted, _ = super().delete()
        return deleted


class ConsentRecord(models.Model):
    """One grant or withdrawal. The current state of a purpose is the user's newest record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_records"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    granted = models.BooleanField()
    notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_records",
        help_text="The notice in force when the choice was made (none for cookie choices).",
    )
    wording = models.TextField(help_text="The exact text the user was shown.")
    wording_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=20, choices=Method.choices)
    created_at = models.DateTimeField(default=timezone.now)
    previous_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, unique=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "id"]
        indexes = [
            models.Index(
                fields=["user", "purpose", "created_at"], name="consent_user_purpose_created"
            ),
        ]
        constraints = [
            # Two records pointing at the same predecessor would fork the chain.
            models.UniqueConstraint(
                fields=["user", "previous_hash"], name="consent_chain_never_forks"
            ),
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"{self.user_id} {verb} {self.purpose} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerImmutableError("Consent records cannot be updated.")
        if not self.record_hash or self.record_hash != self.compute_hash():
            raise LedgerImmutableError("Consent records are written by consent.services.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError(
            "Consent records cannot be deleted, except by consent_records_erase."
        )

    def compute_hash(self) -> str:
        return record_digest(
            user_id=self.user_id,
            purpose=self.purpose,
            granted=self.granted,
            notice_id=self.notice_id,
            wording_hash=self.wording_hash,
            method=self.method,
            created_at=self.created_at,
            previous_hash=self.previous_hash,
        )
