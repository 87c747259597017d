"""The personal data consent holds: a user's consent records.

Privacy notices are the platform's own documents and are listed as an exclusion
in ``tests/privacy/test_registry.py``."""

from consent.models import ConsentRecord
from consent.services import consent_records_erase
from privacy.registry import USER, DataCategory, iso, register


@register
class ConsentRecordCategory(DataCategory):
    """The ledger is append-only and hash-chained per user; docs/architecture.md §6 and
    docs/architecture.md make erasure the one path that removes records, through
    ``consent_records_erase``, which deletes the user's whole chain at once (so no
    other user's chain is broken)."""

    name = "consent_records"
    description = "What a user agreed to or withdrew, the exact wording shown, how and when."
    models = ("consent.ConsentRecord",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {
                "purpose": row.purpose,
                "granted": row.granted,
                "wording": row.wording,
                "method": row.method,
                "notice": row.notice.version if row.notice else None,
                "created_at": iso(row.created_at),
            }
            for row in ConsentRecord.objects.filter(user=user)
            .select_related("notice")
            .order_by("created_at", "pk")
        ]

    def erase_user(self, user):
        return consent_records_erase(user=user)
