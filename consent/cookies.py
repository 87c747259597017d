"""Every cookie the portal sets, declared once, and the one check for setting more.

The cookies page is generated from ``DECLARED_COOKIES``, and a test fails when a
page sets a cookie that is not declared here as necessary. Code that would set a
performance or functional cookie, or load a script that does, must first ask
``cookies_allowed(request, category)``.

A visitor's choice is kept in the ``cookie_preferences`` cookie (itself
necessary: it remembers the answer). A signed-in user's choice is their newest
ConsentRecord for ``cookies_performance`` and ``cookies_functional``; until they
have one, the choice made on this device applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse

from consent.models import Purpose

PREFERENCES_COOKIE = "cookie_preferences"
PREFERENCES_MAX_AGE = timedelta(days=365)


class Category(models.TextChoices):
    NECESSARY = "necessary", "Necessary"
    PERFORMANCE = "performance", "Performance"
    FUNCTIONAL = "functional", "Functional"


# The consent purpose that records each optional category.
CATEGORY_PURPOSE = {
    Category.PERFORMANCE: Purpose.COOKIES_PERFORMANCE,
    Category.FUNCTIONAL: Purpose.COOKIES_FUNCTIONAL,
}

# What each category is for: shown beside its choice, and recorded as the wording
# of the consent given or withdrawn.
CATEGORY_DESCRIPTION = {
    Category.NECESSARY: (
        "Keep you signed in, protect forms from forgery and remember your cookie choices. "
        "The portal cannot work without them, so they are always on."
    ),
    Category.PERFORMANCE: (
        "Let us count visits and see which pages are slow, so that we can improve the portal."
    ),
    Category.FUNCTIONAL: "Remember choices you make, such as settings on a page, between visits.",
}

OPTIONAL_CATEGORIES = (Category.PERFORMANCE, Category.FUNCTIONAL)


@dataclass(frozen=True)
class DeclaredCookie:
    name: str
    category: str
    purpose: str
    lifetime: str


def _duration(delta: timedelta) -> str:
    days = delta.days
    if days >= 360:
        years = round(days / 365)
        return "1 year" if years == 1 else f"{years} years"
    if days >= 1:
        return "1 day" if days == 1 else f"{days} days"
    hours = round(delta.total_seconds() / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def declared_cookies() -> list[DeclaredCookie]:
    """Every cookie the portal may set, with names and lifetimes read from settings."""
    session_hours = _duration(timedelta(seconds=settings.SESSION_COOKIE_AGE))
    return [
        DeclaredCookie(
            name=settings.SESSION_COOKIE_NAME,
            category=Category.NECESSARY,
            purpose="Keeps you signed in as you move from page to page.",
            lifetime=f"Until you close your browser; a sign-in ends after {session_hours}",
        ),
        DeclaredCookie(
            name=settings.CSRF_COOKIE_NAME,
            category=Category.NECESSARY,
            purpose="Proves that a form was sent from this site, which stops forged requests.",
            lifetime=_duration(timedelta(seconds=settings.CSRF_COOKIE_AGE)),
        ),
        DeclaredCookie(
            name="messages",
            category=Category.NECESSARY,
            purpose="Carries a short confirmation, such as “Your choice was saved”, "
            "to the next page.",
            lifetime="Until the message is shown, or you close your browser",
        ),
        DeclaredCookie(
            name=PREFERENCES_COOKIE,
            category=Category.NECESSARY,
            purpose="Remembers which cookies you allow on this device.",
            lifetime=_duration(PREFERENCES_MAX_AGE),
        ),
    ]


def necessary_cookie_names() -> set[str]:
    return {cookie.name for cookie in declared_cookies() if cookie.category == Category.NECESSARY}


@dataclass(frozen=True)
class CookieChoices:
    """The optional categories allowed; ``made`` is False until a choice exists."""

    performance: bool = False
    functional: bool = False
    made: bool = False

    def allows(self, category: str) -> bool:
        if category == Category.NECESSARY:
            return True
        if category == Category.PERFORMANCE:
            return self.performance
        if category == Category.FUNCTIONAL:
            return self.functional
        raise ValueError(f"Unknown cookie category: {category!r}")

    def as_purposes(self) -> dict[str, bool]:
        return {
            Purpose.COOKIES_PERFORMANCE: self.performance,
            Purpose.COOKIES_FUNCTIONAL: self.functional,
        }


def choices_from_cookie(value: str | None) -> CookieChoices:
    """Read the ``cookie_preferences`` cookie, such as ``performance:0|functional:1``;
    anything unreadable counts as no choice."""
    fields = dict(part.partition(":")[::2] for part in (value or "").split("|"))
    flags = {}
    for category in OPTIONAL_CATEGORIES:
        raw = fields.get(category.value)
        if raw not in {"0", "1"}:
            return CookieChoices()
        flags[category.value] = raw == "1"
    return CookieChoices(**flags, made=True)


def cookie_value(choices: CookieChoices) -> str:
    """The cookie's value: only characters a cookie carries without quoting."""
    return "|".join(
        f"{category.value}:{'1' if choices.allows(category) else '0'}"
        for category in OPTIONAL_CATEGORIES
    )


def remember_choices_on_device(response: HttpResponse, choices: CookieChoices) -> None:
    response.set_cookie(
        PREFERENCES_COOKIE,
        cookie_value(choices),
        max_age=int(PREFERENCES_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def cookie_choices_for(request: HttpRequest) -> CookieChoices:
    """The choice that applies to this request (cached on the request).

    A signed-in user's ledger wins; without any cookie record there, the choice
    made on this device applies; without either, nothing optional is allowed.
    """
    cached = getattr(request, "_cookie_choices", None)
    if cached is not None:
        return cached
    choices = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from consent.selectors import privacy_status_for_request

        status = privacy_status_for_request(request)
        if status.cookies_performance is not None or status.cookies_functional is not None:
            choices = CookieChoices(
                performance=bool(status.cookies_performance),
                functional=bool(status.cookies_functional),
                made=True,
            )
    if choices is None:
        choices = choices_from_cookie(request.COOKIES.get(PREFERENCES_COOKIE))
    request._cookie_choices = choices
    return choices


def cookies_allowed(request: HttpRequest, category: str) -> bool:
    """May this response set (or load a script that sets) a cookie of ``category``?"""
    return cookie_choices_for(request).allows(category)
