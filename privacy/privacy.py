"""The personal data the privacy app holds itself: the requests people make."""

from privacy.models import PrivacyRequest
from privacy.registry import PER_PARENT, PUPIL, USER, DataCategory, iso, register


@register
class PrivacyRequestCategory(DataCategory):
    """Erasure redacts a request rather than deleting it: the record that a
    request came in and was answered is what shows the law was followed."""

    name = "privacy_requests"
    description = "Requests about personal data (access, erasure, …): dates, status, wording."
    models = ("privacy.PrivacyRequest",)
    subjects = (USER, PUPIL)
    # A parent's copy has the requests about the child that they made themselves.
    parent_copy = PER_PARENT

    def _export(self, rows):
        return [
            {
                "kind": row.kind,
                "status": row.status,
                "received_at": iso(row.received_at),
                "due_at": iso(row.due_at),
                "closed_at": iso(row.closed_at),
                "details": row.details,
                "outcome": row.outcome,
            }
            for row in rows.order_by("pk")
        ]

    def _user_rows(self, user):
        return PrivacyRequest.objects.filter(subject_user=user) | PrivacyRequest.objects.filter(
            requester=user
        )

    def export_user(self, user):
        return self._export(self._user_rows(user))

    def export_pupil(self, pupil):
        return self._export(PrivacyRequest.objects.filter(subject_pupil=pupil))

    def export_pupil_for_parent(self, pupil, parent):
        return self._export(PrivacyRequest.objects.filter(subject_pupil=pupil, requester=parent))

    def _redact(self, rows):
        from django.utils import timezone

        return rows.update(details="", outcome="", redacted_at=timezone.now())

    def erase_user(self, user):
        touched = self._redact(self._user_rows(user))
        PrivacyRequest.objects.filter(requester=user).update(requester=None)
        PrivacyRequest.objects.filter(subject_user=user).update(subject_user=None)
        return touched

    def erase_pupil(self, pupil):
        rows = PrivacyRequest.objects.filter(subject_pupil=pupil)
        touched = self._redact(rows)
        rows.update(subject_pupil=None)
        return touched
