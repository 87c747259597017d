"""Home, health check, the second-factor pages and adding staff."""

import base64
import math
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import access
from accounts.access import requires_two_factor
from accounts.access.navigation import navigation_for
from accounts.forms import EnrolForm, StaffAddForm, TokenForm
from accounts.redirects import next_parameter, safe_next_url
from accounts.selectors import has_authenticator, second_factor_wait_seconds
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
    """200 when the database (and Redis, where configured) answer and, with a
    manifest storage for static files (production), this process has the
    manifest ``collectstatic`` writes; 503 otherwise. Without it every page that
    names a static file is a 500.

    The detail also says whether the daily retention task is keeping up:
    ``"retention"`` is ``"ok"``, ``"late"`` (no run completed for 36 hours) or
    ``"failed"`` (the last run ended with errors), with ``"retention_last_run"``,
    when the last successful run finished. That alarm does not make the answer a
    503: the web processes are healthy and must stay in the load balancer."""
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
    static = _static_manifest_state()
    if static is not None:
        checks["static"] = static
    healthy = all(value == "ok" for value in checks.values())
    detail = dict(checks)
    if checks["database"] == "ok":
        detail.update(_retention_detail())
    return JsonResponse(detail, status=200 if healthy else 503)


def _static_manifest_state() -> str | None:
    """``"ok"``, ``"missing"`` (no manifest on disk, or none loaded by this
    process, which started before ``collectstatic`` ran: restart it), or None
    when static files are not stored with a manifest."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None
    try:
        on_disk = storage.manifest_storage.exists(storage.manifest_name)
    except Exception:
        on_disk = False
    return "ok" if on_disk and storage.hashed_files else "missing"


def _retention_detail() -> dict[str, str | None]:
    from privacy.selectors import retention_status

    try:
        status = retention_status()
    except Exception:
        return {"retention": "unknown"}
    last = status.last_success.finished_at if status.last_success is not None else None
    return {"retention": status.state, "retention_last_run": last.isoformat() if last else None}


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


def _wait_message(seconds: int) -> str:
    return (
        f"Too many wrong codes in a row. Wait {seconds} second{'s' if seconds != 1 else ''}, "
        "then enter the code your app shows then."
    )


def _device_wait_seconds(device) -> int:
    allowed, details = device.verify_is_allowed()
    locked_until = None if allowed else (details or {}).get("locked_until")
    if locked_until is None:
        return 0
    return max(math.ceil((locked_until - timezone.now()).total_seconds()), 1)


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
    wait = _device_wait_seconds(device) if request.method == "POST" else 0
    if wait:
        form.add_error(None, _wait_message(wait))
    elif request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(
            device=device, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            otp_login(request, device)
            return _backup_codes_page(request, codes, next_url=_next_url(request), first=True)
        wait = _device_wait_seconds(device)
        form.add_error(
            "token",
            "That code did not match. Check your phone's clock, then "
            + (f"wait {wait} second{'s' if wait != 1 else ''} and " if wait else "")
            + "try the code your app shows.",
        )
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
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "").lower()
        wait = second_factor_wait_seconds(user=request.user, token=token)
        if wait:
            form.add_error(None, _wait_message(wait))
        else:
            device = second_factor_check(user=request.user, token=token, request=request)
            if device is not None:
                otp_login(request, device)
                messages.success(request, "You are signed in.")
                return redirect(_next_url(request))
            wait = second_factor_wait_seconds(user=request.user, token=token)
            form.add_error(
                "token",
                "That code is not valid. "
                + (f"Wait {wait} second{'s' if wait != 1 else ''}, then try " if wait else "Try ")
                + "the code your app shows, or a backup code.",
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


BACKUP_CODES_SESSION_KEY = "accounts.backup_codes"
BACKUP_CODES_DOWNLOADABLE_FOR = 15 * 60


def _backup_codes_page(request, codes: list[str], *, next_url: str, first: bool) -> HttpResponse:
    """The codes, shown once; they can be printed or downloaded for a few minutes."""
    request.session[BACKUP_CODES_SESSION_KEY] = {"codes": codes, "at": time.time()}
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": next_url, "first_time": first},
    )


@never_cache
@require_POST
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes (only after the second factor, by the middleware)."""
    codes = backup_codes_regenerate(user=request.user)
    return _backup_codes_page(request, codes, next_url="", first=False)


@never_cache
def backup_codes_download(request: HttpRequest) -> HttpResponse:
    """The codes just shown, as a text file: only in the minutes after they were made."""
    held = request.session.get(BACKUP_CODES_SESSION_KEY) or {}
    if not held or time.time() - held.get("at", 0) > BACKUP_CODES_DOWNLOADABLE_FOR:
        request.session.pop(BACKUP_CODES_SESSION_KEY, None)
        raise Http404("No new backup codes to download.")
    lines = [
        "Home Learning Portal: backup codes for two-step sign-in",
        f"Account: {request.user.email}",
        "Each code works once, when you cannot use your authenticator app.",
        "",
        *held["codes"],
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="home-learning-backup-codes.txt"'
    return response


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
