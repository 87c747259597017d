"""A school admin's view of their school's audit log and staff sign-in activity."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import access
from audit import selectors
from audit.forms import AuditLogFilterForm

ENTRIES_PER_PAGE = 50
EVENTS_PER_PAGE = 50


def school_log(request: HttpRequest, school_id: int) -> HttpResponse:
    """Who did what at the school, newest first, filtered by action, person and dates."""
    school = access.administered_school_or_404(request.user, school_id)
    form = AuditLogFilterForm(request.GET or None, school=school)
    filters = form.filters()
    entries = selectors.audit_entries_for_school(school=school, **filters)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/school_log.html",
        {
            "school": school,
            "form": form,
            "filtered": bool(filters),
            "page": page,
            "query": query.urlencode(),
        },
    )


def school_security(request: HttpRequest, school_id: int) -> HttpResponse:
    """Sign-ins, second factors and password changes of the school's own staff."""
    school = access.administered_school_or_404(request.user, school_id)
    events = selectors.security_events_for_school_staff(school=school)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/school_security.html",
        {
            "school": school,
            "page": page,
            "failure_kinds": selectors.STAFF_FAILURE_KINDS,
            "retention_days": settings.SECURITY_EVENT_RETENTION_DAYS,
        },
    )
