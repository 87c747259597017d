"""The address a request comes from, as far as the portal can trust it.

Behind reverse proxies (a load balancer, an ingress) ``REMOTE_ADDR`` is the last
proxy's address and the client's is in ``X-Forwarded-For``, to which each proxy
appends the address it saw. ``TRUSTED_PROXY_COUNT`` says how many of those
proxies are ours: the entry that many places from the right is the client's.
Entries further left were written by whoever sent the request and are ignored,
so a client cannot dodge a limit by sending the header itself. With the default
of 0 the header is ignored altogether.

Sign-in limits (through ``accounts.adapter``), the security log and any other
per-address limit key on ``client_ip``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((candidate or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when it cannot be told."""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.headers.get("x-forwarded-for", "")
    if trusted > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if entries:
            # Fewer entries than proxies: the request came in through an inner
            # proxy, which wrote the leftmost entry itself.
            return _valid(entries[-trusted] if len(entries) >= trusted else entries[0])
    return _valid(request.META.get("REMOTE_ADDR"))
