"""The request being served, for code that is not handed one.

Some signals carry no request (django-otp's ``otp_verification_failed``, a
device saved by a service), yet a security event wants the IP address and
browser it came from. ``audit.middleware.RequestContextMiddleware`` sets the
request here for the length of each request; ``current_request()`` reads it.

A ContextVar rather than a thread-local or module attribute: each thread, and
each asyncio task, sees only its own request, and nothing is left behind once
the response is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


def current_request() -> HttpRequest | None:
    """The request being served, or None (a task, a command, the shell)."""
    return _current_request.get()


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    """Make ``request`` the current request inside the block, and forget it after."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)
