"""Reads of stored roster imports; the school comes from accounts.access first."""

from django.db.models import QuerySet
from django.http import Http404

from schools.models import RosterImport, School


def roster_imports_recent(*, school: School, limit: int = 10) -> QuerySet[RosterImport]:
    return (
        RosterImport.objects.filter(school=school)
        .defer("content", "errors", "warnings")
        .order_by("-created_at", "-pk")[:limit]
    )


def roster_import_of_school_or_404(*, school: School, import_id: int) -> RosterImport:
    """An import of this school (whose admin the viewer is); any other is a 404."""
    roster_import = (
        RosterImport.objects.filter(school=school, pk=import_id)
        .defer("content")
        .select_related("uploaded_by")
        .first()
    )
    if roster_import is None:
        raise Http404("No such roster import.")
    return roster_import
