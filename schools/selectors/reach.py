"""Who a data incident reaches (the breach register in privacy/). Read by platform
staff, who see counts and schools' names only (the admin asks
accounts.access.incidents first); never a family's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    QuerySet,
)

from accounts.models import Membership, User
from schools.models import Guardianship, Pupil, School, SchoolClass

# --- Who a data incident reaches (the breach register in privacy/) -------------------
# Read by platform staff, who see counts and schools' names only (the admin asks
# accounts.access.incidents first); never a family's name.


@dataclass(frozen=True)
class Reach:
    """The people and schools reached through some schools, classes or accounts,
    as they were at ``as_of``: lazy querysets, to count or stream."""

    schools: QuerySet[School]
    # The links between parents and pupils through which parents are reached.
    links: QuerySet[Guardianship]
    # The staff roles through which staff are reached.
    memberships: QuerySet[Membership]
    pupils: QuerySet[Pupil]

    @property
    def parents(self) -> QuerySet[User]:
        return User.objects.filter(Exists(self.links.filter(parent=OuterRef("pk"))))

    @property
    def staff(self) -> QuerySet[User]:
        return User.objects.filter(Exists(self.memberships.filter(user=OuterRef("pk"))))

    def admins(self) -> QuerySet[Membership]:
        """The admin roles at the schools reached, of accounts still open (a closed
        account no longer acts for its school), whoever holds them."""
        return Membership.objects.filter(
            role=Membership.Role.ADMIN,
            school__in=self.schools.values("pk"),
            user__closed_at__isnull=True,
            user__is_active=True,
        )

    def counts_by_school(self, school_ids: list[int]) -> dict[int, dict[str, int]]:
        """How many pupils, parents and staff are reached at each of these schools:
        three grouped queries, whatever the number of schools."""
        counts = {school_id: {"pupils": 0, "parents": 0, "staff": 0} for school_id in school_ids}
        grouped = (
            ("pupils", self.pupils.filter(school__in=school_ids), "school_id", "pk"),
            (
                "parents",
                self.links.filter(pupil__school__in=school_ids),
                "pupil__school_id",
                "parent_id",
            ),
            ("staff", self.memberships.filter(school__in=school_ids), "school_id", "user_id"),
        )
        for kind, rows, school_field, person_field in grouped:
            for row in (
                rows.order_by().values(school_field).annotate(n=Count(person_field, distinct=True))
            ):
                counts[row[school_field]][kind] = row["n"]
        return counts


def reach_of_nobody() -> Reach:
    return Reach(
        schools=School.objects.none(),
        links=Guardianship.objects.none(),
        memberships=Membership.objects.none(),
        pupils=Pupil.objects.none(),
    )


def _as_of(reach: Reach, as_of: datetime) -> Reach:
    """Only what existed at ``as_of``; anonymised children have nothing left to reach."""
    return Reach(
        schools=reach.schools,
        links=reach.links.filter(created_at__lte=as_of, pupil__anonymised_at__isnull=True),
        memberships=reach.memberships.filter(created_at__lte=as_of),
        pupils=reach.pupils.filter(created_at__lte=as_of, anonymised_at__isnull=True),
    )


def reach_of_schools(*, school_ids: QuerySet, as_of: datetime) -> Reach:
    """Everyone at these schools: the parents linked to their pupils, the pupils,
    and their staff. ``school_ids`` is a subquery of primary keys."""
    return _as_of(
        Reach(
            schools=School.objects.filter(pk__in=school_ids),
            links=Guardianship.objects.filter(pupil__school__in=school_ids),
            memberships=Membership.objects.filter(school__in=school_ids),
            pupils=Pupil.objects.filter(school__in=school_ids),
        ),
        as_of,
    )


def reach_of_classes(*, class_ids: QuerySet, as_of: datetime) -> Reach:
    """The families of these classes: the parents linked to their pupils, the
    pupils, and the classes' teachers. ``class_ids`` is a subquery of primary keys."""
    teaching = SchoolClass.teachers.through.objects.filter(
        user_id=OuterRef("user_id"),
        schoolclass__in=class_ids,
        schoolclass__school_id=OuterRef("school_id"),
    )
    return _as_of(
        Reach(
            schools=School.objects.filter(
                Exists(SchoolClass.objects.filter(school=OuterRef("pk"), pk__in=class_ids))
            ),
            links=Guardianship.objects.filter(pupil__school_class__in=class_ids),
            memberships=Membership.objects.filter(Exists(teaching)),
            pupils=Pupil.objects.filter(school_class__in=class_ids),
        ),
        as_of,
    )


def reach_of_accounts(*, account_ids: QuerySet, as_of: datetime) -> Reach:
    """These accounts: as parents, through their links (their children, and their
    children's schools); as staff, through their roles (their schools).
    ``account_ids`` is a subquery of user ids."""
    reach = _as_of(
        Reach(
            schools=School.objects.none(),
            links=Guardianship.objects.filter(parent__in=account_ids),
            memberships=Membership.objects.filter(user__in=account_ids),
            pupils=Pupil.objects.all(),
        ),
        as_of,
    )
    return Reach(
        schools=School.objects.filter(
            Exists(reach.links.filter(pupil__school=OuterRef("pk")))
            | Exists(reach.memberships.filter(school=OuterRef("pk")))
        ),
        links=reach.links,
        memberships=reach.memberships,
        pupils=reach.pupils.filter(Exists(reach.links.filter(pupil=OuterRef("pk")))),
    )


def schools_by_name() -> QuerySet[School]:
    return School.objects.order_by("name", "pk")


def classes_by_school() -> QuerySet[SchoolClass]:
    """Every class, by school, newest year first: labelled with its school."""
    return SchoolClass.objects.select_related("school").order_by(
        "school__name", "school_id", "-academic_year", "year_group", "name"
    )
