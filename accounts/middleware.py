from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.access import requires_two_factor

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
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                target = reverse("accounts:two_factor_verify")
            else:
                target = reverse("accounts:two_factor_setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
