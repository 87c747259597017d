"""The school admin's invitation pages: invite, track, retry, resend or revoke, and see
the families the school cannot reach."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.names import names_joined
from accounts.redirects import safe_next_url
from invitations import selectors
from invitations.errors import InvitationNotUsableError
from invitations.forms import InvitationCreateForm, InvitationFilterForm
from invitations.models import Invitation
from invitations.services import (
    invitation_resend,
    invitation_retry,
    invitation_revoke,
    invitations_create,
)
from schools.offboarded import SchoolOffboardedError

INVITATIONS_PER_PAGE = 50
PUPILS_PER_PAGE = 50


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _created_message(*, invited: int, unreachable: int, already: int) -> tuple[int, str]:
    """The message level and text that tell the admin what one invite did."""
    sent = invited - unreachable
    parts = []
    if sent:
        parts.append(f"Invited {_plural(sent, 'family', 'families')}.")
    if unreachable:
        parts.append(
            f"{_plural(unreachable, 'family', 'families')} could not be reached: "
            "no email or mobile for the way you chose to send."
        )
    if already:
        parts.append(
            f"{_plural(already, 'family', 'families')} already had a live invitation "
            f"and {'was' if already == 1 else 'were'} not invited again."
        )
    if not parts:
        return messages.WARNING, (
            "No one to invite: every parent of these pupils has joined, "
            "or none is on record with the school."
        )
    return (messages.SUCCESS if sent else messages.WARNING), " ".join(parts)


@dataclass(frozen=True)
class ClassGroup:
    name: str
    pupils: list
    has_chosen: bool


def _pupils_by_class(pupils, chosen: set[str]) -> list[ClassGroup]:
    """Pupils grouped under their class, in the order given; a group holding a
    ticked pupil is shown open."""
    groups = []
    for _, group in groupby(pupils, key=lambda pupil: pupil.school_class_id):
        members = list(group)
        school_class = members[0].school_class
        groups.append(
            ClassGroup(
                name=school_class.name if school_class else "No class",
                pupils=members,
                has_chosen=any(str(pupil.pk) in chosen for pupil in members),
            )
        )
    return groups


@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    form = InvitationCreateForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        pupils = selectors.pupils_to_invite(
            school=school,
            scope=form.cleaned_data["scope"],
            pupils=form.cleaned_data["pupils"],
            school_class=form.cleaned_data["school_class"],
        )
        already = selectors.parents_already_invited_count(school=school, pupils=pupils)
        try:
            created = invitations_create(
                school=school,
                pupils=pupils.only("pk"),
                channels=form.cleaned_data["channels"],
                actor=request.user,
            )
        except SchoolOffboardedError as error:
            messages.error(request, str(error))
            return redirect("invitations:list", school_id=school.pk)
        unreachable = sum(1 for i in created if i.status == Invitation.Status.FAILED)
        level, text = _created_message(
            invited=len(created), unreachable=unreachable, already=already
        )
        messages.add_message(request, level, text)
        return redirect("invitations:list", school_id=school.pk)
    pupils = list(selectors.invitable_pupils(school=school))
    chosen = form.chosen_pupil_ids()
    return render(
        request,
        "invitations/school/invite.html",
        {
            "school": school,
            "form": form,
            "pupil_count": len(pupils),
            "pupils_by_class": _pupils_by_class(pupils, chosen),
            "chosen": chosen,
        },
    )


def invitation_list(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    filter_form = InvitationFilterForm(request.GET)
    status = filter_form.status_or_all()
    invitations = selectors.invitations_for_school(school=school, status=status)
    page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = {"status": status} if status else {}
    if page.number > 1:
        query["page"] = page.number
    retryable = selectors.invitations_retryable(invitations=list(page))
    for invitation in page:
        invitation.can_retry = invitation.pk in retryable
        invitation.accepted_by_other = invitation.accepted_by is not None and (
            not selectors.invitation_contact_matches(
                invitation=invitation, user=invitation.accepted_by
            )
        )
    here = reverse("invitations:list", args=[school.pk]) + (f"?{urlencode(query)}" if query else "")
    return render(
        request,
        "invitations/school/list.html",
        {
            "school": school,
            "page": page,
            "filter_form": filter_form,
            "status": status,
            "status_query": urlencode({"status": status}) if status else "",
            "counts": selectors.invitation_status_counts(school=school),
            "here": here,
            "here_query": urlencode({"next": here}),
            "cannot_change": (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED),
        },
    )


def invitation_unreachable(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    pupils = selectors.unreachable_pupils(school=school)
    page = Paginator(pupils, PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    here = reverse("invitations:unreachable", args=[school.pk])
    return render(
        request,
        "invitations/school/unreachable.html",
        {
            "school": school,
            "page": page,
            "here": here + (f"?page={page.number}" if page.number > 1 else ""),
            "reasons": selectors.UnreachableReason,
        },
    )


def _back(request: HttpRequest, school_id: int, *, source=None) -> HttpResponse:
    """Back to the invitation page the button was on (``next`` in ``source``, the
    POST by default), or to the tracker."""
    tracker = reverse("invitations:list", args=[school_id])
    source = request.POST if source is None else source
    return redirect(safe_next_url(request, source.get("next"), default=tracker, within=tracker))


def _who(invitation: Invitation) -> str:
    return invitation.contact_name or "this family"


@require_POST
def invitation_resend_view(request: HttpRequest, school_id: int, invitation_id: int):
    school = access.administered_school_or_404(request.user, school_id)
    invitation = access.administered_invitation_or_404(request.user, school, invitation_id)
    try:
        invitation = invitation_resend(invitation=invitation, actor=request.user)
    except InvitationNotUsableError as error:
        invitation.refresh_from_db(fields=["status"])
        if invitation.status == Invitation.Status.REVOKED:
            messages.error(
                request,
                f"The invitation to {_who(invitation)} was revoked, so it cannot be resent. "
                "Invite the family again to send a new one.",
            )
        elif invitation.status == Invitation.Status.ACCEPTED:
            messages.error(
                request,
                f"{_who(invitation)} has already accepted, so there is nothing to resend.",
            )
        else:  # the school has left the portal
            messages.error(request, str(error))
        return _back(request, school.pk)
    if invitation.status == Invitation.Status.FAILED:
        messages.warning(
            request,
            f"The invitation to {_who(invitation)} could not be sent: there is no email or "
            "mobile on record for the way it was sent. Update the details in your MIS and "
            "import the roster again.",
        )
    else:
        messages.success(
            request,
            f"Invitation to {_who(invitation)} sent again. The earlier link no longer works.",
        )
    return _back(request, school.pk)


@require_POST
def invitation_retry_view(request: HttpRequest, school_id: int, invitation_id: int):
    """Send a failed invitation's messages again, with the same link."""
    school = access.administered_school_or_404(request.user, school_id)
    invitation = access.administered_invitation_or_404(request.user, school, invitation_id)
    try:
        invitation_retry(invitation=invitation, actor=request.user)
    except InvitationNotUsableError as error:
        messages.error(request, f"The invitation to {_who(invitation)} was not retried. {error}")
        return _back(request, school.pk)
    messages.success(
        request,
        f"Sending the invitation to {_who(invitation)} again, with the same link. "
        "Its status shows how it goes.",
    )
    return _back(request, school.pk)


@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request: HttpRequest, school_id: int, invitation_id: int):
    """GET: what revoking will do, and the button that does it. A POST from that
    page (``confirm=yes``) revokes; a POST without it only shows the page."""
    school = access.administered_school_or_404(request.user, school_id)
    invitation = access.administered_invitation_or_404(request.user, school, invitation_id)
    source = request.GET if request.method == "GET" else request.POST
    if invitation.status == Invitation.Status.ACCEPTED:
        messages.error(
            request,
            f"{_who(invitation)} has already accepted, so the invitation cannot be revoked.",
        )
        return _back(request, school.pk, source=source)
    if invitation.status == Invitation.Status.REVOKED:
        messages.info(request, f"The invitation to {_who(invitation)} was already revoked.")
        return _back(request, school.pk, source=source)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        tracker = reverse("invitations:list", args=[school.pk])
        children = selectors.invitation_children_first_names(invitation=invitation)
        return render(
            request,
            "invitations/school/revoke_confirm.html",
            {
                "school": school,
                "invitation": invitation,
                "who": _who(invitation),
                "children": names_joined(children) if children else "",
                "children_count": len(children),
                "next": safe_next_url(request, source.get("next"), default=tracker, within=tracker),
            },
        )
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except InvitationNotUsableError:
        messages.error(
            request,
            f"{_who(invitation)} has already accepted, so the invitation cannot be revoked.",
        )
        return _back(request, school.pk)
    messages.success(
        request, f"Invitation to {_who(invitation)} revoked. Its link no longer works."
    )
    return _back(request, school.pk)
