"""What a log line says about where it comes from: the id of the request a web
process is serving, or of the task a worker is running.

``RequestIdMiddleware`` gives each request an id (a sane ``X-Request-ID`` from the
proxy, or a new one) and answers with it; ``portal/celery.py`` sets the task's id
around each task. ``portal.log_filters.ContextFilter`` puts both on each record.
"""

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and plain (no spaces, quotes or
# newlines that could forge a log line); anything else is replaced.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_task_id: ContextVar[str | None] = ContextVar("task_id", default=None)


def request_id_current() -> str | None:
    return _request_id.get()


def task_id_current() -> str | None:
    return _task_id.get()


def request_id_for(incoming: str | None) -> str:
    """The incoming id if it is sane, otherwise a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def task_id_set(task_id: str | None):
    """Make ``task_id`` the current task's; returns the token that undoes it."""
    return _task_id.set(task_id)


def task_id_reset(token) -> None:
    _task_id.reset(token)


class RequestIdMiddleware:
    """Each request gets an id for its log lines, returned in ``X-Request-ID`` (and
    so in gunicorn's access line). First in MIDDLEWARE, so every line of the
    request carries it, and every answer, redirects included, names it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
