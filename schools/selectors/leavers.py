"""Which pupils no one holds any more, and who still holds a child: the retention
task and erasure read these."""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Membership, User
from schools.models import Guardianship, Pupil

# --- Pupils no one holds (the retention task, erasure) ------------------------------


def _open_parent_links() -> QuerySet[Guardianship]:
    """Links of a parent who joined (confirmed), not ended, whose account is open."""
    return Guardianship.objects.filter(
        confirmed_at__isnull=False,
        ended_at__isnull=True,
        parent__is_active=True,
        parent__closed_at__isnull=True,
    )


def pupils_both_removed() -> QuerySet[Pupil]:
    """Pupils the school removed and no open parent account holds, not anonymised,
    with ``both_removed_at``: the later of the removal, the last joined parent's
    link ending and the last such parent's account closing (docs/architecture.md §6: deleted
    within 90 days of the later of the two)."""
    joined = Guardianship.objects.filter(pupil=OuterRef("pk"), confirmed_at__isnull=False)
    last_link_ended = joined.values("pupil").annotate(last=Max("ended_at")).values("last")
    last_parent_closed = (
        joined.filter(ended_at__isnull=True)
        .values("pupil")
        .annotate(last=Max("parent__closed_at"))
        .values("last")
    )
    removed = F("removed_by_school_at")
    return (
        Pupil.objects.filter(removed_by_school_at__isnull=False, anonymised_at__isnull=True)
        .filter(~Exists(_open_parent_links().filter(pupil=OuterRef("pk"))))
        .annotate(
            both_removed_at=Greatest(
                removed,
                Coalesce(Subquery(last_link_ended), removed),
                Coalesce(Subquery(last_parent_closed), removed),
                output_field=DateTimeField(),
            )
        )
    )


# --- Who holds a child: what a parent's erasure anonymises (privacy.services.erasure)


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


def contacts_only_of_pupils(*, pupil_ids: list[int]) -> list[tuple[int, User]]:
    """``contacts_only_of`` for several pupils at once: (pupil id, contact) pairs,
    by pupil and then contact."""
    links = (
        Guardianship.objects.filter(
            pupil_id__in=pupil_ids,
            confirmed_at__isnull=True,
            parent__last_login__isnull=True,
            parent__is_staff=False,
            parent__is_superuser=False,
            parent__password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .exclude(
            Exists(
                Guardianship.objects.filter(parent=OuterRef("parent_id")).exclude(
                    pupil=OuterRef("pupil_id")
                )
            )
        )
        .exclude(Exists(Membership.objects.filter(user=OuterRef("parent_id"))))
        .select_related("parent")
        .order_by("pupil_id", "parent_id")
    )
    return [(link.pupil_id, link.parent) for link in links]


def children_of_parents(*, parent_ids: list[int]) -> QuerySet[Pupil]:
    """``children_for_erasure`` for several parents at once: one row per parent and
    child, the parent's id annotated as ``erasing_parent``, in pupil id order."""
    return (
        Pupil.objects.filter(
            guardianships__parent_id__in=parent_ids,
            guardianships__confirmed_at__isnull=False,
            guardianships__ended_at__isnull=True,
            anonymised_at__isnull=True,
        )
        .annotate(erasing_parent=F("guardianships__parent_id"))
        .order_by("pk", "erasing_parent")
    )


def pupils_held_by_open_parents(*, pupil_ids: list[int]) -> set[int]:
    """Of these pupils, those a parent with an open account still holds (a current
    link, accepted, not ended)."""
    return set(
        Guardianship.objects.filter(
            pupil_id__in=pupil_ids,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
            parent__closed_at__isnull=True,
        ).values_list("pupil_id", flat=True)
    )
