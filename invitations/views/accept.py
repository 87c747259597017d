"""The page an invitation link opens: a new parent joins, a parent with an
account signs in and adds the child, and consent is given on the same page.

A forwarded link alone never links a child to another account: a signed-in
account whose email and mobile both differ from the invitation's, and a new
parent joining through an invitation that holds no email, first ask for a code
sent to the invited contact and type it in beside their consent choices.

The token leaves the address on first use, as in Django's password reset
confirmation: the link's page keeps the token's digest in the session and
redirects to ``invitations:join``, which carries no token, so no later request,
Referer or log line holds it. A POST to the link itself (a page opened before the
token moved) is still answered in place.

Guessing tokens is rate-limited per client address: after GUESS_LIMIT unknown
tokens within GUESS_WINDOW seconds, every invitation link answers 429 from that
address until the window ends, valid links included (otherwise a valid link
would stand out among the refusals). Valid links do not count.
"""

import ipaddress

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.access import requires_two_factor
from accounts.models import User
from accounts.names import names_joined
from consent.models import PrivacyNotice
from invitations import selectors
from invitations.errors import (
    AccountInUseError,
    AnotherAccountError,
    ClaimCodeExpiredError,
    ClaimCodeLockedError,
    ClaimCodeUnreachableError,
    EmailTakenError,
    InvitationNotUsableError,
    StaffAccountError,
    WrongClaimCodeError,
)
from invitations.forms import ClaimForm, ConsentForm, RegistrationForm
from invitations.models import ClaimCode, Invitation
from invitations.services import (
    account_in_use,
    claim_code_send,
    invitation_accept,
    invitation_register,
)

SEND_CODE = "send_code"  # the value of ``step`` on the form that asks for a code
GUESS_LIMIT = 20
GUESS_WINDOW = 10 * 60
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
SESSION_LINK = "invitation_link"  # the digest of the link opened in this session


def _client_address(request: HttpRequest) -> str:
    """The client's address as allauth's rate limits see it; an IPv6 address
    stands for its /64, which one household or host usually holds whole."""
    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return address


def _guesses_key(request: HttpRequest) -> str:
    return f"invitation-guesses:{_client_address(request)}"


def _guessing_blocked(request: HttpRequest) -> bool:
    return (cache.get(_guesses_key(request)) or 0) >= GUESS_LIMIT


def _guess_record(request: HttpRequest) -> None:
    """Count one unknown token; the window starts at the first."""
    key = _guesses_key(request)
    if cache.add(key, 1, GUESS_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, GUESS_WINDOW)


def _sign_in_url(request: HttpRequest) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': reverse('invitations:join')})}"


def _unusable(request: HttpRequest, *, status: int, reopen: bool = False) -> HttpResponse:
    """One page for used, expired, revoked and unknown links: it says no more than
    that this link does not work and what to do (``reopen``: open it again, when the
    session that held it has ended)."""
    return render(
        request,
        "invitations/accept/unusable.html",
        {"valid_days": settings.INVITATION_VALID_FOR.days, "reopen": reopen},
        status=status,
    )


def _page(
    request: HttpRequest, invitation: Invitation, *, mode: str, status: int = 200, **context
) -> HttpResponse:
    child_names = selectors.invitation_children_first_names(invitation=invitation)
    return render(
        request,
        "invitations/accept/accept.html",
        {
            "mode": mode,
            "school": invitation.school,
            "children": names_joined(child_names),
            "child_count": len(child_names),
            "notice": PrivacyNotice.current(),
            "sign_in_url": _sign_in_url(request),
            "invitation_id": invitation.pk,
            **context,
        },
        status=status,
    )


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    request.session.pop(SESSION_LINK, None)
    children = selectors.invitation_children_first_names(invitation=invitation)
    messages.success(
        request,
        f"You have joined {invitation.school.name}. "
        f"{names_joined(children)} can now be found here.",
    )
    return redirect("schools:parent_home")


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link itself: checked, kept in the session, then left for the page
    without the token."""
    if _guessing_blocked(request):
        response = render(request, "invitations/accept/too_many.html", status=429)
        response["Retry-After"] = str(GUESS_WINDOW)
        return response
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        _guess_record(request)
        return _unusable(request, status=404)
    if not invitation.is_usable:
        return _not_usable(request, invitation)
    request.session[SESSION_LINK] = invitation.token_hash
    if request.method == "GET":
        return redirect("invitations:join")
    return _answer(request, invitation)


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_join_page(request: HttpRequest) -> HttpResponse:
    """The page for the link opened in this session."""
    invitation = selectors.invitation_for_token_hash(request.session.get(SESSION_LINK))
    if invitation is None:
        return _unusable(request, status=404, reopen=True)
    if not invitation.is_usable:
        return _not_usable(request, invitation)
    if request.method == "POST" and request.POST.get("invitation") != str(invitation.pk):
        # A page left open while another invitation was opened in this session: its
        # answers were for the other one, so none is taken.
        messages.info(request, "You have opened another invitation since: this is it.")
        return redirect("invitations:join")
    return _answer(request, invitation)


def _not_usable(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    request.session.pop(SESSION_LINK, None)
    if (
        invitation.status == Invitation.Status.ACCEPTED
        and request.user.is_authenticated
        and invitation.accepted_by_id == request.user.pk
    ):
        return redirect("schools:parent_home")  # a second click after joining
    return _unusable(request, status=410)


def _answer(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation)
    return _register(request, invitation)


def _staff_refusal(request: HttpRequest) -> HttpResponse:
    return render(request, "invitations/accept/staff.html", status=403)


def _for_another_account(invitation: Invitation, user: User) -> bool:
    parent = invitation.parent
    return parent is not None and parent.pk != user.pk and account_in_use(parent)


def _another_account(request: HttpRequest) -> HttpResponse:
    return render(request, "invitations/accept/another_account.html", status=403)


def _accept_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """A parent with an account: the child is added to it after they choose consents,
    and after typing in a code sent to the invited contact when the account's email
    and mobile both differ from the invitation's."""
    user = request.user
    if requires_two_factor(user):
        return _staff_refusal(request)
    if _for_another_account(invitation, user):
        return _another_account(request)
    if not selectors.invitation_contact_matches(invitation=invitation, user=user):
        return _claim(request, invitation)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                invitation=invitation, user=user, consents=form.consents(), actor=user
            )
        except InvitationNotUsableError:
            return _unusable(request, status=410)
        except StaffAccountError:
            return _staff_refusal(request)
        except AnotherAccountError:
            return _another_account(request)
        else:
            return _joined(request, invitation)
    return _page(request, invitation, mode="confirm", form=form)


def _code_context(invitation: Invitation, *, user: User | None) -> dict:
    state = selectors.invitation_claim_state(invitation=invitation, user=user)
    return {
        "code_waiting": state.waiting is not None,
        "code_locked": state.locked,
        "code_to": selectors.invitation_contact_hints(invitation=invitation),
        "code_minutes": int(ClaimCode.VALID_FOR.total_seconds() // 60),
    }


def _code_posted(request: HttpRequest) -> bool:
    """A POST of the form holding the code (not the one asking for a code)."""
    return request.method == "POST" and request.POST.get("step") != SEND_CODE


def _send_code(request: HttpRequest, invitation: Invitation, *, user: User | None):
    """Send a code to the invited contact, then show the page asking for it."""
    try:
        claim_code_send(invitation=invitation, user=user, actor=user)
    except InvitationNotUsableError:
        return _unusable(request, status=410)
    except StaffAccountError:
        return _staff_refusal(request)
    except ClaimCodeLockedError:
        pass  # the page says the link takes no more codes
    except ClaimCodeUnreachableError:
        messages.error(
            request,
            f"We cannot send a code for this invitation. Ask {invitation.school.name} "
            "to send you a new invitation.",
        )
    else:
        messages.success(request, "We have sent the code. It can take a minute to arrive.")
    return redirect("invitations:join")


def _code_refused(form, error: Exception) -> None:
    """Put a refused code's reason on the form's code field."""
    if isinstance(error, WrongClaimCodeError):
        if error.tries_left:
            tries = "try" if error.tries_left == 1 else "tries"
            form.add_error(
                "code",
                f"That is not the code we sent. Check it and type it again: "
                f"{error.tries_left} more {tries} before this link stops taking codes.",
            )
        else:
            form.add_error(
                "code", "That is not the code we sent, and this link takes no more codes."
            )
    elif isinstance(error, ClaimCodeExpiredError):
        form.add_error("code", "This code has expired or was replaced. Send a new code below.")
    else:
        form.add_error("code", "This link takes no more codes.")


def _claim(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """A signed-in account that is not the invited contact: the children are added
    only with the code sent to that contact, typed in beside the consent choices."""
    user = request.user
    if request.method == "POST" and request.POST.get("step") == SEND_CODE:
        return _send_code(request, invitation, user=user)
    code_context = _code_context(invitation, user=user)
    form = None
    if code_context["code_waiting"] or _code_posted(request):
        form = ClaimForm(request.POST if _code_posted(request) else None)
    if form is not None and form.is_bound and form.is_valid():
        try:
            invitation_accept(
                invitation=invitation,
                user=user,
                consents=form.consents(),
                actor=user,
                code=form.cleaned_data["code"],
            )
        except InvitationNotUsableError:
            return _unusable(request, status=410)
        except StaffAccountError:
            return _staff_refusal(request)
        except AnotherAccountError:
            return _another_account(request)
        except (WrongClaimCodeError, ClaimCodeExpiredError, ClaimCodeLockedError) as error:
            _code_refused(form, error)
            code_context = _code_context(invitation, user=user)
        else:
            return _joined(request, invitation)
    return _page(request, invitation, mode="claim", form=form, send_code=SEND_CODE, **code_context)


def _register(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """A new parent: the invited account gets their name and password, then joins.
    Without an email from the school, they first ask for a code sent to the
    invitation's mobile, and type it in with the rest."""
    if invitation.parent is not None and invitation.parent.closed_at is not None:
        return _unusable(request, status=410)
    if invitation.parent is not None and account_in_use(invitation.parent):
        # Its owner signs in to accept: nobody sets a new password through a link.
        return _page(request, invitation, mode="sign_in")
    needs_code = selectors.invitation_register_needs_code(invitation)
    code_context = {}
    if needs_code:
        if request.method == "POST" and request.POST.get("step") == SEND_CODE:
            return _send_code(request, invitation, user=None)
        code_context = {"send_code": SEND_CODE, **_code_context(invitation, user=None)}
    form = None
    if not needs_code or code_context["code_waiting"] or _code_posted(request):
        form = RegistrationForm(
            request.POST if _code_posted(request) else None,
            account=invitation.parent,
            invited_email=selectors.invitation_invited_email(invitation=invitation),
            needs_code=needs_code,
        )
    if form is not None and form.is_bound and form.is_valid():
        try:
            user = invitation_register(
                invitation=invitation, consents=form.consents(), **form.registration()
            )
        except InvitationNotUsableError:
            return _unusable(request, status=410)
        except AccountInUseError:
            return _page(request, invitation, mode="sign_in")
        except EmailTakenError:
            form.mark_email_taken()
        except (WrongClaimCodeError, ClaimCodeExpiredError, ClaimCodeLockedError) as error:
            _code_refused(form, error)
            code_context = {"send_code": SEND_CODE, **_code_context(invitation, user=None)}
        else:
            login(request, user, backend=LOGIN_BACKEND)
            return _joined(request, invitation)
    return _page(
        request,
        invitation,
        mode="register",
        form=form,
        needs_code=needs_code,
        account_email=form.account_email if form is not None else "",
        **code_context,
    )
