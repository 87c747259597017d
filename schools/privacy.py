"""The personal data schools hold: pupils, parents' links to them, the classes a
teacher teaches and uploaded roster files (whose content names pupils and parents);
and the roster and parents' links of a school's own export (anonymised pupils are
left out of those two tables: they have no identity left to export). Who still
holds a child, which decides what a parent's erasure anonymises, is in
``schools.selectors.leavers``."""

from collections import Counter

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from invitations.models import Invitation
from notifications.models import Message
from privacy.registry import (
    PER_PARENT,
    PUPIL,
    SCHOOL_ONLY,
    USER,
    DataCategory,
    SchoolTable,
    erase_grouped,
    iso,
    register,
    register_table,
)
from schools.models import Guardianship, Pupil, RosterImport, SchoolClass, YearGroup

# Rows fetched at a time when a school's export streams a table.
CHUNK_ROWS = 2000


@register
class PupilIdentityCategory(DataCategory):
    """Erasure anonymises the pupil as docs/architecture.md §6 says: name, UPN and Pupil Premium
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
    parent_copy = PER_PARENT

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

    def export_pupil_for_parent(self, pupil, parent):
        """Not the UPN nor the Pupil Premium status: those are the school's to give
        (and Pupil Premium can tell one parent about the other household's income)."""
        exported = self.export_pupil(pupil)
        return {
            key: value for key, value in exported.items() if key not in ("upn", "pupil_premium")
        }

    def erase_pupil(self, pupil):
        return self._anonymise(Pupil.objects.filter(pk=pupil.pk))

    def erase_pupils(self, pupils):
        rows = self._still_named(Pupil.objects.filter(pk__in=[pupil.pk for pupil in pupils]))
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            self._anonymise(Pupil.objects.filter(pk__in=ids))
        return dict.fromkeys(ids, 1)

    def _still_named(self, rows):
        done = Q(anonymised_at__isnull=False, first_name="", last_name="", upn="")
        return rows.exclude(done & Q(pupil_premium=False))

    def _anonymise(self, rows):
        return self._still_named(rows).update(
            first_name="",
            last_name="",
            upn="",
            upn_hash=None,
            pupil_premium=False,
            anonymised_at=Coalesce(F("anonymised_at"), Value(timezone.now())),
        )


@register
class GuardianshipCategory(DataCategory):
    """Deleted. A pupil's erasure also deletes the messages that told a parent
    their link had been removed (they name the child). Runs late in a whole
    erasure: other categories find the person's schools through these links."""

    name = "guardianships"
    description = "Which parent is linked to which child: relationship, responsibility, dates."
    models = ("schools.Guardianship",)
    # A parent's copy has their own link, not the other parents' of the child.
    parent_copy = PER_PARENT

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

    def export_pupil_for_parent(self, pupil, parent):
        return self._export(self._rows(pupil=pupil, parent=parent))

    def erase_user(self, user):
        return self._rows(parent=user).delete()[0]

    def erase_pupil(self, pupil):
        rows = self._rows(pupil=pupil)
        references = [f"guardianship:{pk}" for pk in rows.values_list("pk", flat=True)]
        told = Message.objects.filter(reference__in=references).delete()[0] if references else 0
        return told + rows.delete()[0]

    def erase_users(self, users):
        return erase_grouped(
            Guardianship.objects.all(), "parent", users, lambda rows: rows.delete()
        )

    def erase_pupils(self, pupils):
        links = Guardianship.objects.filter(pupil__in=[pupil.pk for pupil in pupils])
        pupil_of = {f"guardianship:{pk}": pupil for pk, pupil in links.values_list("pk", "pupil")}
        if not pupil_of:
            return {}
        told = Message.objects.filter(reference__in=list(pupil_of))
        counts = Counter(pupil_of.values())
        counts.update(pupil_of[reference] for reference in told.values_list("reference", flat=True))
        told.delete()
        links.delete()
        return dict(counts)


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

    def erase_users(self, users):
        through = SchoolClass.teachers.through
        return erase_grouped(through.objects.all(), "user", users, lambda rows: rows.delete())


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
    parent_copy = SCHOOL_ONLY

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

    def erase_pupils(self, pupils):
        """The school's files are cleared once, counted for its first pupil here."""
        first: dict[int, int] = {}
        for pupil in pupils:
            first.setdefault(pupil.school_id, pupil.pk)
        holding = self._holding(school_id__in=list(first))
        counts: dict[int, int] = {}
        for school_id in holding.values_list("school_id", flat=True):
            counts[first[school_id]] = counts.get(first[school_id], 0) + 1
        if counts:
            holding.update(content=b"", errors=[], warnings=[], file_error="")
        return counts


def _year_group(value) -> str | None:
    return YearGroup(value).label if value is not None else None


@register_table
class PupilsTable(SchoolTable):
    name = "pupils"
    description = (
        "The school's roster: every pupil, on roll or left (removed by the school), with "
        "year group, class, UPN and Pupil Premium status."
    )
    columns = (
        "pupil_id",
        "upn",
        "first_name",
        "last_name",
        "year_group",
        "class",
        "pupil_premium",
        "status",
        "left_at",
        "added_at",
    )
    position = 10

    def rows(self, school):
        pupils = (
            Pupil.objects.filter(school=school, anonymised_at__isnull=True)
            .order_by("last_name", "first_name", "pk")
            .values_list(
                "pk",
                "upn",
                "first_name",
                "last_name",
                "year_group",
                "school_class__name",
                "pupil_premium",
                "removed_by_school_at",
                "created_at",
            )
        )
        for pk, upn, first, last, year, class_name, premium, left, added in pupils.iterator(
            chunk_size=CHUNK_ROWS
        ):
            status = "left" if left is not None else "on roll"
            yield (
                pk,
                upn,
                first,
                last,
                _year_group(year),
                class_name,
                premium,
                status,
                left,
                added,
            )


def _live_invitation() -> Exists:
    """A live invitation about the row's pupil, sent to or accepted by its parent."""
    return Exists(
        Invitation.objects.filter(
            Q(parent=OuterRef("parent_id")) | Q(accepted_by=OuterRef("parent_id")),
            pupils=OuterRef("pupil_id"),
            status__in=Invitation.LIVE_STATUSES,
            expires_at__gt=timezone.now(),
        )
    )


@register_table
class ParentsTable(SchoolTable):
    """Status as on a pupil's page: joined (accepted the invitation), invited (a
    live invitation), imported (from the roster, not invited or no longer), or
    ended (the link was removed)."""

    name = "parents"
    description = (
        "Parents' and carers' links to the pupils: names, email, mobile, relationship, "
        "parental responsibility, status and dates."
    )
    columns = (
        "pupil_id",
        "upn",
        "pupil_first_name",
        "pupil_last_name",
        "parent_id",
        "parent_first_name",
        "parent_last_name",
        "email",
        "mobile",
        "relationship",
        "parental_responsibility",
        "status",
        "linked_at",
        "joined_at",
        "ended_at",
        "account_closed_at",
    )
    position = 20

    def rows(self, school):
        links = (
            Guardianship.objects.filter(pupil__school=school, pupil__anonymised_at__isnull=True)
            .annotate(invited=_live_invitation())
            .order_by("pupil__last_name", "pupil__first_name", "pupil_id", "pk")
            .values_list(
                "pupil_id",
                "pupil__upn",
                "pupil__first_name",
                "pupil__last_name",
                "parent_id",
                "parent__first_name",
                "parent__last_name",
                "parent__email",
                "parent__mobile",
                "relationship",
                "parental_responsibility",
                "invited",
                "created_at",
                "confirmed_at",
                "ended_at",
                "parent__closed_at",
            )
        )
        for row in links.iterator(chunk_size=CHUNK_ROWS):
            *who, invited, linked, joined, ended, closed = row
            if ended is not None:
                status = "ended"
            elif joined is not None:
                status = "joined"
            else:
                status = "invited" if invited else "imported"
            yield (*who, status, linked, joined, ended, closed)
