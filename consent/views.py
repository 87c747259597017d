from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.redirects import next_parameter, safe_next_url
from consent.cookies import (
    CATEGORY_DESCRIPTION,
    Category,
    CookieChoices,
    cookie_choices_for,
    declared_cookies,
    remember_choices_on_device,
)
from consent.forms import ConsentChangeForm, CookieChoiceForm, ReconsentForm
from consent.models import Method, PrivacyNotice, Purpose
from consent.selectors import (
    consents_for_user,
    is_staff_account,
    notice_published_by_pk,
    notices_published,
    privacy_status_for_request,
    purposes_offered_to,
)
from consent.services import consent_change, consent_grant, cookie_choices_record
from consent.wording import (
    PURPOSE_STATEMENT,
    WITHDRAW_EFFECT,
    acknowledge_statement,
    reconsent_statement,
)

COOKIE_PURPOSES = {Purpose.COOKIES_PERFORMANCE, Purpose.COOKIES_FUNCTIONAL}


@login_not_required
def privacy_notice(request: HttpRequest, version: str | None = None) -> HttpResponse:
    """The current privacy notice (or an earlier version), open to everyone."""
    notices = notices_published()
    current = notices[0] if notices else None
    if version is None:
        notice = current
    else:
        notice = next((n for n in notices if n.version == version), None)
        if notice is None:
            raise Http404("No published notice has that version.")
        if notice == current:
            return redirect("consent:privacy_notice")
    return render(
        request,
        "consent/privacy_notice.html",
        {
            "notice": notice,
            "current": current,
            "others": [n for n in notices if n != notice],
        },
    )


def privacy_consents(request: HttpRequest) -> HttpResponse:
    """Each consent with its state, when and how it was given, and one button."""
    rows = []
    staff = is_staff_account(user=request.user)
    offered = purposes_offered_to(user=request.user, staff=staff)
    for state in consents_for_user(user=request.user):
        if state.purpose not in offered:
            continue
        if state.purpose == Purpose.PLATFORM and state.changed_at is None:
            # Staff accounts never gave platform consent: their work is not based on it.
            continue
        rows.append(
            {
                "state": state,
                "statement": PURPOSE_STATEMENT[state.purpose],
                "effect": WITHDRAW_EFFECT[state.purpose],
                "is_platform": state.purpose == Purpose.PLATFORM,
            }
        )
    return render(
        request,
        "consent/privacy_consents.html",
        {"rows": rows, "staff": staff},
    )


@require_POST
def privacy_consent_change(request: HttpRequest) -> HttpResponse:
    """Give or withdraw one consent; it applies from the next request."""
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That choice could not be saved. Please try again.")
        return redirect("consent:privacy_consents")
    purpose = form.cleaned_data["purpose"]
    label = Purpose(purpose).label
    if purpose not in purposes_offered_to(user=request.user):
        messages.error(request, f"{label} does not apply to staff accounts.")
        return redirect("consent:privacy_consents")
    if purpose == Purpose.PLATFORM and not form.granted and not form.cleaned_data["confirmed"]:
        # Withdrawing this stops the portal: say what happens and ask first.
        return render(
            request,
            "consent/withdraw_confirm.html",
            {
                "purpose": purpose,
                "label": label,
                "statement": PURPOSE_STATEMENT[purpose],
                "effect": WITHDRAW_EFFECT[purpose],
            },
        )
    notice = None if purpose in COOKIE_PURPOSES else PrivacyNotice.current()
    consent_change(
        user=request.user,
        purpose=purpose,
        granted=form.granted,
        wording=PURPOSE_STATEMENT[purpose],
        method=Method.SETTINGS,
        notice=notice,
    )
    if form.granted:
        messages.success(request, f"You gave consent: {label}.")
    else:
        messages.success(request, f"You withdrew consent: {label}.")
    response = redirect("consent:privacy_consents")
    if purpose in COOKIE_PURPOSES:
        before = cookie_choices_for(request).as_purposes()
        before[purpose] = form.granted
        remember_choices_on_device(
            response,
            CookieChoices(
                performance=before[Purpose.COOKIES_PERFORMANCE],
                functional=before[Purpose.COOKIES_FUNCTIONAL],
                made=True,
            ),
        )
    return response


@never_cache
def privacy_reconsent(request: HttpRequest) -> HttpResponse:
    """Where the consent gate sends a user who must agree (again) before going on."""
    status = privacy_status_for_request(request)
    next_url = safe_next_url(request, next_parameter(request), default="accounts:home")
    if not status.must_consent:
        return redirect(next_url)
    notice = PrivacyNotice.current()
    statement = (
        reconsent_statement(notice.version) if notice else PURPOSE_STATEMENT[Purpose.PLATFORM]
    )
    data = request.POST if request.method == "POST" else None
    form = ReconsentForm(data, statement=statement, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        consent_grant(
            user=request.user,
            purpose=Purpose.PLATFORM,
            wording=statement,
            method=Method.RECONSENT if status.needs_reconsent else Method.SETTINGS,
            notice=notice,
        )
        messages.success(request, "Thank you. You can carry on using the portal.")
        return redirect(next_url)
    return render(
        request,
        "consent/reconsent.html",
        {"form": form, "notice": notice, "status": status},
    )


@require_POST
def privacy_notice_acknowledge(request: HttpRequest) -> HttpResponse:
    """The new-notice banner's button: continue under the new notice.

    Recorded as a platform grant under that notice, with the banner's words, so
    the ledger shows which notice the user last agreed under and what they saw.
    """
    status = privacy_status_for_request(request)
    next_url = safe_next_url(request, request.POST.get("next"), default="accounts:home")
    new_notice = status.new_notice
    if new_notice is not None and request.POST.get("notice") == str(new_notice.pk):
        consent_grant(
            user=request.user,
            purpose=Purpose.PLATFORM,
            wording=acknowledge_statement(new_notice.version),
            method=Method.RECONSENT,
            notice=notice_published_by_pk(pk=new_notice.pk),
        )
    return redirect(next_url)


def _cookie_table() -> list[dict]:
    cookies = declared_cookies()
    return [
        {
            "category": category,
            "description": CATEGORY_DESCRIPTION[category],
            "cookies": [cookie for cookie in cookies if cookie.category == category],
        }
        for category in Category
    ]


@login_not_required
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """The cookie choices (the banner's form) and every cookie the portal sets."""
    choices = cookie_choices_for(request)
    form = CookieChoiceForm(
        initial={
            "performance": choices.performance,
            "functional": choices.functional,
            "source": "settings",
            "next": reverse("consent:cookie_settings"),
        }
    )
    return render(
        request,
        "consent/cookies.html",
        {"cookie_form": form, "categories": _cookie_table(), "choices": choices},
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_not_required
@require_POST
def cookie_choice(request: HttpRequest) -> HttpResponse:
    """Save a cookie choice from the banner or the settings page, then go back.

    Works as a plain form post; cookies.js sends the same form with fetch and gets
    JSON back, so the banner can close without reloading the page.
    """
    form = CookieChoiceForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"saved": False}, status=400)
        return render(
            request,
            "consent/cookies.html",
            {"cookie_form": form, "categories": _cookie_table()},
            status=400,
        )
    choices = form.choices()
    if request.user.is_authenticated:
        source = form.cleaned_data["source"]
        cookie_choices_record(
            user=request.user,
            choices=choices.as_purposes(),
            wordings={purpose: PURPOSE_STATEMENT[purpose] for purpose in COOKIE_PURPOSES},
            method=Method.BANNER if source == "banner" else Method.SETTINGS,
        )
    text = "Your cookie choices were saved."
    if _wants_json(request):
        response = JsonResponse({"saved": True, "message": text})
    else:
        messages.success(request, text)
        response = redirect(
            safe_next_url(request, form.cleaned_data["next"], default="consent:cookie_settings")
        )
    remember_choices_on_device(response, choices)
    return response
