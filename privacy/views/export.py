"""Downloads of personal data: a person's own (the "Your data" page under account
settings), one pupil's for the school's admins, and a whole school's."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access
from privacy.services import (
    FORMATS,
    DataExport,
    pupil_data_export,
    school_data_export,
    user_data_export,
)


def _download(export: DataExport) -> FileResponse:
    """The ZIP as an attachment; the response closes (and so deletes) the file."""
    return FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type="application/zip"
    )


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """What the portal holds about the user, a download of it, and links to
    restricting its use and to erasure."""
    children = access.children_of(request.user).select_related("school")
    return render(
        request,
        "privacy/my_data.html",
        {
            "children": children.order_by("first_name", "last_name", "pk"),
            "parent": access.is_parent(request.user),
        },
    )


@require_GET
def my_data_download(request: HttpRequest) -> FileResponse:
    """A ZIP of everything held about the user and their children, at once; a
    restricted account may download too."""
    return _download(user_data_export(user=request.user, actor=request.user))


@require_GET
def pupil_export(request: HttpRequest, school_id: int, pupil_id: int) -> FileResponse:
    """A ZIP of everything held about one pupil, for the school's admins."""
    pupil = access.pupil_for_export_or_refuse(request.user, school_id, pupil_id)
    return _download(pupil_data_export(pupil=pupil, actor=request.user))


@require_GET
def school_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The page offering the school's data as CSV or JSON; ``?format=`` downloads it."""
    school = access.school_for_export_or_refuse(request.user, school_id)
    export_format = request.GET.get("format")
    if export_format in FORMATS:
        return _download(
            school_data_export(school=school, export_format=export_format, actor=request.user)
        )
    error = "Choose CSV or JSON." if export_format is not None else ""
    return render(
        request,
        "privacy/school_export.html",
        {"school": school, "error": error},
        status=400 if error else 200,
    )
