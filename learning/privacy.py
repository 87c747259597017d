"""The personal data learning holds: what a child completed and who marked it,
the family's feedback (ratings, comments, photos and their files) and awards.

Topics, activities and assignments are the school's teaching content and are
listed as exclusions in ``tests/privacy/test_registry.py``."""

from django.db import transaction
from django.db.models import Q

from learning.files import private_storage
from learning.models import Award, Completion, Feedback
from privacy.registry import PUPIL, DataCategory, iso, register


def _subject(*, user=None, pupil=None, field: str) -> Q:
    return Q(**{field: user}) if user is not None else Q(pupil=pupil)


@register
class CompletionCategory(DataCategory):
    """Completions are kept as counts without identity (DESIGN §6): erasure
    removes the link to the parent who marked them; the pupil's own identity goes
    with the pupil's anonymisation (``schools.privacy``)."""

    name = "completions"
    description = "Activities a child completed, when, and which parent marked them done."
    models = ("learning.Completion",)

    def _rows(self, **subject):
        return Completion.objects.filter(_subject(**subject, field="completed_by"))

    def _export(self, rows):
        return [
            {
                "pupil": row.pupil_id,
                "activity": row.activity.title,
                "completed_at": iso(row.completed_at),
            }
            for row in rows.select_related("activity").order_by("pk")
        ]

    def export_user(self, user):
        return self._export(self._rows(user=user))

    def export_pupil(self, pupil):
        return self._export(self._rows(pupil=pupil))

    def erase_user(self, user):
        return self._rows(user=user).update(completed_by=None)

    def erase_pupil(self, pupil):
        return self._rows(pupil=pupil).exclude(completed_by=None).update(completed_by=None)


@register
class FeedbackCategory(DataCategory):
    """Comments and photos are deleted, photo files from private storage once the
    transaction commits; ratings stay without identity (DESIGN §6). The export
    lists each photo by its storage name, for the download to include the file."""

    name = "feedback"
    description = "Ratings, comments and photos a family shared about their work, and the files."
    models = ("learning.Feedback",)

    def _rows(self, **subject):
        return Feedback.objects.filter(_subject(**subject, field="parent"))

    def _export(self, rows):
        return [
            {
                "pupil": row.pupil_id,
                "activity": row.activity.title,
                "rating": row.rating,
                "comment": row.comment,
                "photo": row.photo.name or None,
                "moderation_status": row.moderation_status,
                "created_at": iso(row.created_at),
                "removed_at": iso(row.removed_at),
            }
            for row in rows.select_related("activity").order_by("pk")
        ]

    def export_user(self, user):
        return self._export(self._rows(user=user))

    def export_pupil(self, pupil):
        return self._export(self._rows(pupil=pupil))

    def _erase(self, rows):
        rows = rows.exclude(comment="", photo="", parent=None)
        names = [name for name in rows.exclude(photo="").values_list("photo", flat=True)]
        touched = rows.update(comment="", photo="", parent=None)
        storage = private_storage()
        for name in names:
            transaction.on_commit(lambda name=name: storage.delete(name))
        return touched

    def erase_user(self, user):
        # A member of staff's erasure: the feedback they moderated forgets who did.
        moderated = Feedback.objects.filter(moderated_by=user).update(moderated_by=None)
        return self._erase(self._rows(user=user)) + moderated

    def erase_pupil(self, pupil):
        return self._erase(self._rows(pupil=pupil))


@register
class AwardCategory(DataCategory):
    name = "awards"
    description = "Awards a child earned."
    models = ("learning.Award",)
    subjects = (PUPIL,)

    def export_pupil(self, pupil):
        return [
            {"kind": row.kind, "earned_at": iso(row.earned_at)}
            for row in Award.objects.filter(pupil=pupil).order_by("pk")
        ]

    def erase_pupil(self, pupil):
        return Award.objects.filter(pupil=pupil).delete()[0]
