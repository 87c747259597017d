"""The personal data learning holds: what a child completed and who marked it,
the family's feedback (ratings, comments, photos and their files) and awards.

Topics, activities and assignments are the school's teaching content and are
listed as exclusions in ``tests/privacy/test_registry.py``."""

from django.db import transaction
from django.db.models import Case, F, Q, When

from learning.files import private_storage
from learning.models import Award, Completion, Feedback
from privacy.registry import (
    PER_PARENT,
    PUPIL,
    SHARED,
    DataCategory,
    SchoolTable,
    erase_grouped,
    iso,
    register,
    register_table,
)

# Rows fetched at a time when a school's export streams a table.
CHUNK_ROWS = 2000


def _subject(*, user=None, pupil=None, field: str) -> Q:
    return Q(**{field: user}) if user is not None else Q(pupil=pupil)


@register
class CompletionCategory(DataCategory):
    """Completions are kept as counts without identity (docs/architecture.md §6): erasure
    removes the link to the parent who marked them; the pupil's own identity goes
    with the pupil's anonymisation (``schools.privacy``)."""

    name = "completions"
    description = "Activities a child completed, when, and which parent marked them done."
    models = ("learning.Completion",)
    # The child's work done, as every parent of the child sees it (no parent named).
    parent_copy = SHARED

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

    def erase_users(self, users):
        return erase_grouped(Completion.objects.all(), "completed_by", users, _unmarked)

    def erase_pupils(self, pupils):
        rows = Completion.objects.exclude(completed_by=None)
        return erase_grouped(rows, "pupil", pupils, _unmarked)


def _unmarked(rows):
    rows.update(completed_by=None)


@register
class FeedbackCategory(DataCategory):
    """Comments and photos are deleted, photo files from private storage once the
    transaction commits; ratings stay without identity (docs/architecture.md §6). The export
    lists each photo by its storage name, for the download to include the file."""

    name = "feedback"
    description = "Ratings, comments and photos a family shared about their work, and the files."
    models = ("learning.Feedback",)
    # One parent never sees another parent's comments or photos.
    parent_copy = PER_PARENT

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

    def export_pupil_for_parent(self, pupil, parent):
        return self._export(self._rows(pupil=pupil).filter(parent=parent))

    def files(self, exported):
        return [(private_storage(), row["photo"]) for row in exported if row["photo"]]

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

    def erase_users(self, users):
        moderated = erase_grouped(Feedback.objects.all(), "moderated_by", users, _unmoderated)
        rows = Feedback.objects.exclude(comment="", photo="", parent=None)
        erased = erase_grouped(rows, "parent", users, self._erase)
        return {user.pk: moderated.get(user.pk, 0) + erased.get(user.pk, 0) for user in users}

    def erase_pupils(self, pupils):
        rows = Feedback.objects.exclude(comment="", photo="", parent=None)
        return erase_grouped(rows, "pupil", pupils, self._erase)


def _unmoderated(rows):
    rows.update(moderated_by=None)


@register
class AwardCategory(DataCategory):
    name = "awards"
    description = "Awards a child earned."
    models = ("learning.Award",)
    subjects = (PUPIL,)
    parent_copy = SHARED

    def export_pupil(self, pupil):
        return [
            {"kind": row.kind, "earned_at": iso(row.earned_at)}
            for row in Award.objects.filter(pupil=pupil).order_by("pk")
        ]

    def erase_pupil(self, pupil):
        return Award.objects.filter(pupil=pupil).delete()[0]

    def erase_pupils(self, pupils):
        return erase_grouped(Award.objects.all(), "pupil", pupils, lambda rows: rows.delete())


def _unless_anonymised(field: str) -> Case:
    return Case(When(pupil__anonymised_at__isnull=True, then=F(field)), default=None)


@register_table
class FeedbackTable(SchoolTable):
    """Feedback a parent removed is left out (nobody but its author sees it); an
    anonymised pupil's ratings stay with the pupil and parent left blank. Photos
    are named by their stored file name, not included."""

    name = "feedback"
    description = (
        "Families' ratings, comments and photos on the work: pupil, activity, rating, "
        "comment, photo file name, moderation status and dates."
    )
    columns = (
        "feedback_id",
        "created_at",
        "pupil_id",
        "upn",
        "parent_id",
        "topic",
        "activity",
        "rating",
        "comment",
        "photo",
        "moderation_status",
        "moderated_at",
    )
    position = 40

    def rows(self, school):
        feedback = (
            Feedback.objects.filter(pupil__school=school, removed_at__isnull=True)
            .annotate(who=_unless_anonymised("pupil_id"), by=_unless_anonymised("parent_id"))
            .order_by("created_at", "pk")
            .values_list(
                "pk",
                "created_at",
                "who",
                "pupil__upn",
                "by",
                "activity__topic__title",
                "activity__title",
                "rating",
                "comment",
                "photo",
                "moderation_status",
                "moderated_at",
            )
        )
        yield from feedback.iterator(chunk_size=CHUNK_ROWS)
