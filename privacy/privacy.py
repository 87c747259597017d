"""The personal data the privacy app holds itself: the requests people make, and
who recorded each incident in the breach register."""

from privacy.models import Incident, PrivacyRequest
from privacy.registry import PER_PARENT, PUPIL, USER, DataCategory, erase_grouped, iso, register


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

    def erase_users(self, users):
        ids = [user.pk for user in users]
        rows = PrivacyRequest.objects.filter(requester__in=ids) | PrivacyRequest.objects.filter(
            subject_user__in=ids
        )
        pairs = list(rows.values_list("pk", "requester_id", "subject_user_id"))
        if not pairs:
            return {}
        self._redact(PrivacyRequest.objects.filter(pk__in=[pk for pk, _, _ in pairs]))
        PrivacyRequest.objects.filter(requester__in=ids).update(requester=None)
        PrivacyRequest.objects.filter(subject_user__in=ids).update(subject_user=None)
        # A request by one person about another counts once, for its requester, as
        # erasing the first of the two would.
        counts: dict[int, int] = {}
        for _, requester, subject in pairs:
            who = requester if requester in ids else subject
            counts[who] = counts.get(who, 0) + 1
        return counts

    def erase_pupils(self, pupils):
        def write(rows):
            self._redact(rows)
            rows.update(subject_pupil=None)

        return erase_grouped(PrivacyRequest.objects.all(), "subject_pupil", pupils, write)


@register
class IncidentCategory(DataCategory):
    """The breach register names no family: who an incident affects is worked out
    from its scope when needed, never stored, and staff write its texts without
    families' names. What it holds of a person is the member of staff who
    recorded it; erasing them keeps the incident (the record that the law was
    followed) and drops the link."""

    name = "incidents"
    description = "Data incidents a member of platform staff recorded: when, and what was done."
    models = ("privacy.Incident",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {
                "incident": row.pk,
                "title": row.title,
                "found_at": iso(row.found_at),
                "recorded_at": iso(row.recorded_at),
                "closed_at": iso(row.closed_at),
            }
            for row in Incident.objects.filter(recorded_by=user).order_by("pk")
        ]

    def erase_user(self, user):
        return Incident.objects.filter(recorded_by=user).update(recorded_by=None)

    def erase_users(self, users):
        return erase_grouped(
            Incident.objects.all(), "recorded_by", users, lambda rows: rows.update(recorded_by=None)
        )
