"""Where to send a user back to: the one guard against open redirects.

A ``next`` parameter comes from the request, so anyone can write one into a link.
Only a URL on this site (and over HTTPS when the request was) is followed;
anything else, and anything outside ``within`` when given, gives way to ``default``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(
    request: HttpRequest,
    candidate: str | None,
    *,
    default: str,
    within: str = "",
) -> str:
    """``candidate`` if it is a URL of this site (starting with ``within``, if given);
    otherwise ``default`` (a URL, or a URL name such as ``"accounts:home"``)."""
    if (
        candidate
        and candidate.startswith(within)
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(default)


def next_parameter(request: HttpRequest) -> str:
    """The ``next`` the request carries, from the form or else the query string."""
    return request.POST.get("next") or request.GET.get("next") or ""
