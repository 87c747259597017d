"""The roster upload page: upload → check (dry run) → apply, for a school's admins only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from schools.forms import RosterUploadForm
from schools.models import RosterImport
from schools.selectors import roster_import_of_school_or_404, roster_imports_recent
from schools.services.roster_imports import (
    RosterImportError,
    roster_import_apply,
    roster_import_progress,
    roster_import_start,
)

# (summary key, label before applying, label once applied)
SUMMARY_ROWS = [
    ("pupils_create", "Pupils to create", "Pupils created"),
    ("pupils_update", "Pupils to update", "Pupils updated"),
    ("pupils_unchanged", "Pupils unchanged", "Pupils unchanged"),
    ("pupils_remove", "Pupils to mark as removed", "Pupils marked as removed"),
    ("classes_create", "Classes to create", "Classes created"),
    ("parents_create", "Parent accounts to create", "Parent accounts created"),
    ("parents_existing", "Existing accounts to link", "Existing accounts linked"),
    ("links_create", "Children to link to parents", "Children linked to parents"),
    ("links_update", "Parent links to update", "Parent links updated"),
    ("errors", "Rows with errors (will be skipped)", "Rows with errors (skipped)"),
    ("warnings", "Warnings", "Warnings"),
]


@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
    else:
        form = RosterUploadForm()
    if form.is_bound and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            roster_import = roster_import_start(
                school=school,
                file_name=uploaded.name,
                content=uploaded.read(),
                remove_missing=form.cleaned_data["remove_missing"],
                actor=request.user,
            )
        except RosterImportError as error:
            form.add_error(None, str(error))
        else:
            return redirect(
                "schools:roster_preview", school_id=school.pk, import_id=roster_import.pk
            )
    return render(
        request,
        "schools/roster_upload.html",
        {"school": school, "form": form, "recent": roster_imports_recent(school=school)},
    )


@require_GET
def roster_preview(request: HttpRequest, school_id: int, import_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    roster_import = roster_import_of_school_or_404(school=school, import_id=import_id)
    applied = roster_import.status == RosterImport.Status.APPLIED
    summary = roster_import.summary
    summary_rows = [
        (applied_label if applied else label, summary.get(key, 0))
        for key, label, applied_label in SUMMARY_ROWS
    ]
    return render(
        request,
        "schools/roster_preview.html",
        {
            "school": school,
            "roster_import": roster_import,
            "summary_rows": summary_rows,
            "progress": roster_import_progress(roster_import=roster_import),
            "errors_not_shown": max(summary.get("errors", 0) - len(roster_import.errors), 0),
            "warnings_not_shown": max(summary.get("warnings", 0) - len(roster_import.warnings), 0),
        },
    )


@require_POST
def roster_apply(request: HttpRequest, school_id: int, import_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    roster_import = roster_import_of_school_or_404(school=school, import_id=import_id)
    try:
        roster_import = roster_import_apply(roster_import=roster_import, actor=request.user)
    except RosterImportError as error:
        messages.error(request, str(error))
    else:
        if roster_import.status == RosterImport.Status.APPLIED:
            messages.success(request, "The roster has been imported.")
    return redirect("schools:roster_preview", school_id=school.pk, import_id=roster_import.pk)


@require_GET
def roster_status(request: HttpRequest, school_id: int, import_id: int) -> JsonResponse:
    school = access.administered_school_or_404(request.user, school_id)
    roster_import = roster_import_of_school_or_404(school=school, import_id=import_id)
    return JsonResponse(
        {
            "status": roster_import.status,
            "done": not roster_import.in_progress,
            **roster_import_progress(roster_import=roster_import),
        }
    )
