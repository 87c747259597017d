import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import access
from accounts.access import requires_two_factor
from accounts.access.navigation import navigation_for
from accounts.forms import EnrolForm, StaffAddForm, TokenForm
from accounts.redirects import next_parameter, safe_next_url
from accounts.selectors import authenticators_of, has_authenticator
from accounts.services import (
    StaffError,
    backup_codes_regenerate,
    second_factor_check,
    staff_add,
    totp_device_confirm,
    totp_device_start,
)


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, where configured) answer; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
        except Exception:
            checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their one area, or list their areas if they have several."""
    links = navigation_for(request.user)
    areas = [link for link in links if link.area]
    if len(areas) == 1:
        return redirect(areas[0].url)
    return render(request, "accounts/home.html", {"links": links})


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, next_parameter(request), default=settings.LOGIN_REDIRECT_URL)


def _qr_code_svg(url: str) -> str:
    """The enrolment link as an inline SVG QR code (no image request, no data: URI)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return svg.replace(
        "<svg", '<svg role="img" aria-label="QR code to scan with your authenticator app"', 1
    )


def _throttled(form, devices) -> bool:
    """After wrong codes django-otp locks a device for a growing delay: say so plainly."""
    if any(not device.verify_is_allowed()[0] for device in devices):
        form.add_error("token", "Too many tries. Wait a few seconds, then enter a new code.")
        return True
    return False


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, type a code back, get backup codes."""
    if not requires_two_factor(request.user):
        return redirect("accounts:home")
    if not request.user.is_verified() and has_authenticator(user=request.user):
        # Replacing a device needs the current one: never on a password alone.
        return redirect("accounts:two_factor_verify")
    device = totp_device_start(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _throttled(form, [device]):
        codes = totp_device_confirm(
            device=device, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("token", "That code did not match. Check your phone's clock and try again.")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": _qr_code_svg(device.config_url),
            "secret": _grouped(secret),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask an enrolled staff member for a code from their app or a backup code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    devices = list(authenticators_of(user=request.user))
    if request.method == "POST" and form.is_valid() and not _throttled(form, devices):
        token = form.cleaned_data["token"].strip().replace(" ", "").lower()
        device = second_factor_check(user=request.user, token=token, request=request)
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code is not valid. Try a new code or a backup code.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


@never_cache
@require_POST
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes (only after the second factor, by the middleware)."""
    codes = backup_codes_regenerate(user=request.user)
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": "", "first_time": False}
    )


@require_http_methods(["GET", "POST"])
def staff_add_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access.administered_school_or_404(request.user, school_id)
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = staff_add(school=school, actor=request.user, **form.cleaned_data)
        except StaffError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                f"{membership.user.email} added as {membership.get_role_display().lower()}. "
                "They have been sent an email to sign in.",
            )
            return redirect("schools:school_overview", school_id=school.pk)
    return render(request, "accounts/staff_add.html", {"school": school, "form": form})
