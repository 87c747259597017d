"""Which pupils no one holds any more: the retention task and erasure read these."""

from __future__ import annotations

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
