"""The personal data schools hold: pupils, parents' links to them, the classes a
teacher teaches and uploaded roster files (whose content names pupils and parents);
and who still holds a child, which decides what a parent's erasure anonymises."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, User
from notifications.models import Message
from privacy.registry import PUPIL, USER, DataCategory, iso, register
from schools.models import Guardianship, Pupil, RosterImport, SchoolClass


@register
class PupilIdentityCategory(DataCategory):
    """Erasure anonymises the pupil as DESIGN §6 says: name, UPN and Pupil Premium
    status go and ``anonymised_at`` is set, so completion counts and ratings stay
    without identity. The row keeps its school and class: with nothing left that
    says who the child was, they are what the school's counts are grouped by (a
    teacher's class view still counts the class's completions), and every staff
    list leaves anonymised pupils out. Whether to anonymise the pupil at all
    (another parent may still hold the child) is the erasure service's decision,
    not this category's."""

    name = "pupil_identity"
    description = "A pupil's name, UPN, school, class, year group and Pupil Premium status."
    models = ("schools.Pupil",)
    subjects = (PUPIL,)

    def export_pupil(self, pupil):
        pupil = Pupil.objects.select_related("school", "school_class").get(pk=pupil.pk)
        return {
            "id": pupil.pk,
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "upn": pupil.upn,
            "school": pupil.school.name,
            "class": pupil.school_class.name if pupil.school_class else None,
            "year_group": pupil.year_group,
            "pupil_premium": pupil.pupil_premium,
            "removed_by_school_at": iso(pupil.removed_by_school_at),
            "anonymised_at": iso(pupil.anonymised_at),
        }

    def erase_pupil(self, pupil):
        done = Q(anonymised_at__isnull=False, first_name="", last_name="", upn="")
        return (
            Pupil.objects.filter(pk=pupil.pk)
            .exclude(done & Q(pupil_premium=False))
            .update(
                first_name="",
                last_name="",
                upn="",
                upn_hash=None,
                pupil_premium=False,
                anonymised_at=Coalesce(F("anonymised_at"), Value(timezone.now())),
            )
        )


@register
class GuardianshipCategory(DataCategory):
    """Deleted. A pupil's erasure also deletes the messages that told a parent
    their link had been removed (they name the child). Runs late in a whole
    erasure: other categories find the person's schools through these links."""

    name = "guardianships"
    description = "Which parent is linked to which child: relationship, responsibility, dates."
    models = ("schools.Guardianship",)
    erase_order = 90

    def _rows(self, **subject):
        return Guardianship.objects.filter(**subject).order_by("pk")

    def _export(self, rows):
        return [
            {
                "parent": row.parent_id,
                "pupil": row.pupil_id,
                "relationship": row.relationship,
                "parental_responsibility": row.parental_responsibility,
                "confirmed_at": iso(row.confirmed_at),
                "ended_at": iso(row.ended_at),
            }
            for row in rows
        ]

    def export_user(self, user):
        return self._export(self._rows(parent=user))

    def export_pupil(self, pupil):
        return self._export(self._rows(pupil=pupil))

    def erase_user(self, user):
        return self._rows(parent=user).delete()[0]

    def erase_pupil(self, pupil):
        rows = self._rows(pupil=pupil)
        references = [f"guardianship:{pk}" for pk in rows.values_list("pk", flat=True)]
        told = Message.objects.filter(reference__in=references).delete()[0] if references else 0
        return told + rows.delete()[0]


@register
class ClassesTaughtCategory(DataCategory):
    """Only the teachers link of a class is personal; the class is the school's."""

    name = "classes_taught"
    description = "The classes a teacher is linked to."
    models = ("schools.SchoolClass",)
    subjects = (USER,)

    def export_user(self, user):
        classes = SchoolClass.objects.filter(teachers=user).select_related("school")
        return [
            {"school": row.school.name, "class": row.name, "academic_year": row.academic_year}
            for row in classes.order_by("pk")
        ]

    def erase_user(self, user):
        through = SchoolClass.teachers.through
        return through.objects.filter(user=user).delete()[0]


@register
class RosterImportCategory(DataCategory):
    """An import's stored file, errors and warnings name pupils and parents of the
    whole school; the content is cleared once applied and the record purged after
    7 days. For a pupil, erasure clears what the school's imports still hold (the
    school uploads the file again if it needs it); a pupil's export lists those
    files by name, since the file is the school's. For a staff member, the
    uploader and applier links are removed."""

    name = "roster_imports"
    description = "Uploaded roster files not yet purged: file name, content, errors, who uploaded."
    models = ("schools.RosterImport",)

    def export_user(self, user):
        imports = RosterImport.objects.filter(uploaded_by=user) | RosterImport.objects.filter(
            applied_by=user
        )
        return [
            {"file_name": row.file_name, "status": row.status, "created_at": iso(row.created_at)}
            for row in imports.distinct().order_by("pk")
        ]

    def erase_user(self, user):
        schools = Pupil.objects.filter(guardianships__parent=user).values("school")
        return (
            RosterImport.objects.filter(uploaded_by=user).update(uploaded_by=None)
            + RosterImport.objects.filter(applied_by=user).update(applied_by=None)
            # A parent's contact details are in the files of their children's schools.
            + self._holding(school__in=schools).update(
                content=b"", errors=[], warnings=[], file_error=""
            )
        )

    def _holding(self, pupil=None, **school):
        where = school or {"school_id": pupil.school_id}
        return RosterImport.objects.filter(**where).exclude(
            content=b"", errors=[], warnings=[], file_error=""
        )

    def export_pupil(self, pupil):
        return [
            {"file_name": row.file_name, "created_at": iso(row.created_at)}
            for row in self._holding(pupil).order_by("pk")
        ]

    def erase_pupil(self, pupil):
        return self._holding(pupil).update(content=b"", errors=[], warnings=[], file_error="")


# --- Who holds a child: what a parent's erasure anonymises (privacy.services.erasure) -


def children_for_erasure(*, parent: User) -> QuerySet[Pupil]:
    """The parent's children (a current link: accepted, not ended), not yet
    anonymised, in id order (the order an erasure locks them in)."""
    return Pupil.objects.filter(
        guardianships__parent=parent,
        guardianships__confirmed_at__isnull=False,
        guardianships__ended_at__isnull=True,
        anonymised_at__isnull=True,
    ).order_by("pk")


def pupils_held_by_others(*, pupil_ids: list[int], parent: User) -> set[int]:
    """Of these pupils, those another parent still holds: a current link (accepted,
    not ended) and an open account. An erasure of ``parent`` leaves them be."""
    return set(
        Guardianship.objects.filter(
            pupil_id__in=pupil_ids,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__closed_at__isnull=True,
        )
        .exclude(parent=parent)
        .values_list("pupil_id", flat=True)
    )


def contacts_only_of(*, pupil: Pupil) -> QuerySet[User]:
    """The carers a roster named for this pupil alone who never joined: never signed
    in, no password, no staff role, linked to no other child. Their account exists
    only because of this pupil, so it goes when the pupil is anonymised."""
    other_children = Guardianship.objects.filter(parent=OuterRef("pk")).exclude(pupil=pupil)
    return (
        User.objects.filter(
            guardianships__pupil=pupil,
            guardianships__confirmed_at__isnull=True,
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .exclude(Exists(other_children))
        .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .order_by("pk")
    )
