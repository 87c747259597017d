"""A school admin's queue of privacy requests: the list, recording a request made to
the school, and each step on one request (start, act on it, close or refuse).

Every page asks the checkpoint first (``accounts.access.privacy_requests``): another
school's request is a 404, and so is the queue for anyone but the school's admins.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from privacy import selectors
from privacy.forms import (
    PrivacyRequestCloseForm,
    PrivacyRequestRecordForm,
    PrivacyRequestRefuseForm,
)
from privacy.models import PrivacyRequest
from privacy.services import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
)

REQUESTS_PER_PAGE = 50
Kind = PrivacyRequest.Kind


def _detail(privacy_request: PrivacyRequest):
    return redirect(
        "privacy:school_request",
        school_id=privacy_request.school_id,
        request_id=privacy_request.pk,
    )


def school_requests(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's requests, most urgent first: open ones unless asked otherwise."""
    school = access.privacy_requests_school_or_404(request.user, school_id)
    state = request.GET.get("state")
    if state not in selectors.STATES:
        state = "open"
    requests = selectors.privacy_requests_for_school(school=school, state=state)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/requests/list.html",
        {
            "school": school,
            "state": state,
            "page": page,
            "counts": selectors.privacy_request_queue_counts(school=school),
            "query": f"state={state}",
        },
    )


@require_http_methods(["GET", "POST"])
def school_request_new(request: HttpRequest, school_id: int) -> HttpResponse:
    """Record a request the school received about one of its pupils or parents."""
    school = access.privacy_requests_school_or_404(request.user, school_id)
    form = PrivacyRequestRecordForm(
        request.POST or None,
        pupils=access.privacy_request_pupils_of(request.user, school),
        parents=access.privacy_request_parents_of(request.user, school),
    )
    # Opened from a pupil's page: that pupil chosen already, if they are the school's.
    chosen = request.GET.get("person")
    if request.method == "GET" and chosen:
        if not form.offers(chosen):
            access.refuse("No such pupil or parent at this school.")
        form.initial["person"] = chosen
    if request.method == "POST" and form.is_valid():
        subject = form.subject()
        try:
            privacy_request = privacy_request_open(
                kind=form.cleaned_data["kind"],
                actor=request.user,
                requester=subject.get("subject_user"),
                school=school,
                details=form.cleaned_data["details"],
                received_at=form.received_at(),
                **subject,
            )
        except PrivacyRequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Request recorded. It is due on "
                f"{date_format(timezone.localtime(privacy_request.due_at), 'j F Y')}.",
            )
            return _detail(privacy_request)
    return render(request, "privacy/requests/new.html", {"school": school, "form": form})


def school_request(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    """One request: who it is about, its dates, and the next steps while it is open."""
    privacy_request = access.privacy_request_of_school_or_404(request.user, school_id, request_id)
    return render(
        request,
        "privacy/requests/detail.html",
        {"school": privacy_request.school, "privacy_request": privacy_request},
    )


@require_POST
def school_request_start(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    privacy_request = access.privacy_request_of_school_or_404(request.user, school_id, request_id)
    try:
        privacy_request_start(privacy_request=privacy_request, actor=request.user)
    except PrivacyRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The request is marked as in progress.")
    return _detail(privacy_request)


def _closing_step(request, school_id, request_id, *, form_class, field, service, template, done):
    """The page that ends a request (done or refused): the form is its confirmation."""
    privacy_request = access.privacy_request_of_school_or_404(request.user, school_id, request_id)
    if not privacy_request.is_open:
        messages.info(request, "This request is closed and cannot be changed.")
        return _detail(privacy_request)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(privacy_request, form.cleaned_data[field])
        except PrivacyRequestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return _detail(privacy_request)
    return render(
        request,
        template,
        {"school": privacy_request.school, "privacy_request": privacy_request, "form": form},
    )


@require_http_methods(["GET", "POST"])
def school_request_close(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    return _closing_step(
        request,
        school_id,
        request_id,
        form_class=PrivacyRequestCloseForm,
        field="outcome",
        service=lambda privacy_request, outcome: privacy_request_close(
            privacy_request=privacy_request, actor=request.user, outcome=outcome
        ),
        template="privacy/requests/close.html",
        done="The request is closed as done.",
    )


@require_http_methods(["GET", "POST"])
def school_request_refuse(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    return _closing_step(
        request,
        school_id,
        request_id,
        form_class=PrivacyRequestRefuseForm,
        field="reason",
        service=lambda privacy_request, reason: privacy_request_refuse(
            privacy_request=privacy_request, actor=request.user, reason=reason
        ),
        template="privacy/requests/refuse.html",
        done="The request is closed as refused.",
    )


def _acting_on(request, school_id, request_id, kind):
    """The request, if it is an open one of ``kind`` about a parent; otherwise the
    person goes back to its page, told why."""
    privacy_request = access.privacy_request_of_school_or_404(request.user, school_id, request_id)
    if not privacy_request.is_open:
        messages.info(request, "This request is closed and cannot be changed.")
        return privacy_request, _detail(privacy_request)
    if privacy_request.kind != kind or privacy_request.subject_user is None:
        messages.error(request, "That step is not one for this request.")
        return privacy_request, _detail(privacy_request)
    return privacy_request, None


@require_http_methods(["GET", "POST"])
def school_request_restrict(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    """Confirm, then restrict the parent's data (or lift the restriction) and close
    the request saying so."""
    privacy_request, back = _acting_on(request, school_id, request_id, Kind.RESTRICTION)
    if back is not None:
        return back
    parent = privacy_request.subject_user
    if request.method == "POST":
        restricted = request.POST.get("restricted") == "1"
        try:
            privacy_request_restrict(
                privacy_request=privacy_request, actor=request.user, restricted=restricted
            )
        except PrivacyRequestError as error:
            messages.error(request, str(error))
        else:
            now = "restricted" if restricted else "no longer restricted"
            messages.success(
                request, f"{parent.get_full_name()}'s data is {now} and the request is closed."
            )
        return _detail(privacy_request)
    return render(
        request,
        "privacy/requests/restrict.html",
        {
            "school": privacy_request.school,
            "privacy_request": privacy_request,
            "parent": parent,
            "restricting": not parent.processing_restricted,
        },
    )


@require_http_methods(["GET", "POST"])
def school_request_erase(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    """Confirm, then erase the parent's personal data and close the request."""
    privacy_request, back = _acting_on(request, school_id, request_id, Kind.ERASURE)
    if back is not None:
        return back
    if request.method == "POST":
        try:
            privacy_request_erase(privacy_request=privacy_request, actor=request.user)
        except PrivacyRequestError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "The parent's personal data is erased and the request is closed."
            )
        return _detail(privacy_request)
    return render(
        request,
        "privacy/requests/erase.html",
        {
            "school": privacy_request.school,
            "privacy_request": privacy_request,
            "parent": privacy_request.subject_user,
        },
    )
