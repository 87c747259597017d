from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts.access import requires_two_factor
from accounts.access.refusals import NotAllowed, NotVisible
from accounts.selectors import has_authenticator
from audit.models import SecurityEvent
from audit.services import security_event_record

# Paths a staff member may open before completing the second factor.
_OPEN_PREFIXES = (
    "/two-factor/setup/",
    "/two-factor/verify/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
)


class StaffTwoFactorMiddleware:
    """No staff page (nor the Django admin) opens before a verified second factor.

    A staff account without a confirmed TOTP device is sent to enrol one; with
    one, to verify a code for this session. Runs after django-otp's middleware,
    which sets ``request.user.is_verified``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # Read by the site header (accounts.context_processors): no menu until passed.
        request.second_factor_pending = (
            user.is_authenticated and not user.is_verified() and requires_two_factor(user)
        )
        if request.second_factor_pending and not request.path.startswith(_OPEN_PREFIXES):
            if has_authenticator(user=user):
                target = reverse("accounts:two_factor_verify")
            else:
                target = reverse("accounts:two_factor_setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Every response to a signed-in user says ``Cache-Control: private, no-store``:
    a browser on a shared family or school computer keeps no copy of a child's page,
    and no proxy keeps one at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class AccessRefusalMiddleware:
    """Records each time the checkpoint refuses a signed-in user (``accounts.access``
    raises NotVisible or NotAllowed) as a security event, then lets Django answer
    404 or 403 as usual. Someone walking through other schools' ids shows up in the
    security log. Ordinary "no such page" answers are not refusals and are not kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if isinstance(exception, NotVisible | NotAllowed) and user and user.is_authenticated:
            security_event_record(
                kind=SecurityEvent.Kind.ACCESS_REFUSED,
                user=user,
                request=request,
                details={
                    "path": request.path[:200],
                    "method": request.method,
                    "answer": 404 if isinstance(exception, NotVisible) else 403,
                },
            )
        return None
