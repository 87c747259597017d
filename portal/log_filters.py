"""Filters for the portal's logging configuration (``LOGGING`` in settings, built by
``portal.log_format.logging_config``; gunicorn's through ``portal/gunicorn.py``)."""

import logging
import re

from portal.log_context import request_id_current, task_id_current

REDACTED = "[redacted]"
# A slash, or one percent-encoded (a path inside a query string: ?next=%2F...).
_SLASH = r"(?:/|%2[Ff])"
_SEGMENT = r"[^/%?#&\s\"'<>]+"
# Paths whose segment after the prefix is a secret: an invitation link's token (but
# not the school admin's pages under /schools/<id>/invitations/, nor the token-free
# /invitations/join/ and /invitations/sign-out/), allauth's password reset key (but
# not its token-free ``<uid>-set-password`` page), its email confirmation key, and a
# stop link's token (it turns someone's messages off).
_SECRET_PATH = re.compile(
    rf"(?P<school>{_SLASH}schools{_SLASH}\d+)?"
    rf"(?P<prefix>{_SLASH}(?:invitations|password{_SLASH}reset{_SLASH}key|confirm-email|stop){_SLASH})"
    rf"(?P<segment>{_SEGMENT})"
)


_NOT_SECRET = {"join", "sign-out"}


def _redact(match: re.Match) -> str:
    segment = match["segment"]
    if match["school"] or segment in _NOT_SECRET or segment.endswith("-set-password"):
        return match[0]
    return f"{match['prefix']}{REDACTED}"


def secrets_redacted(text: str) -> str:
    """``text`` with the secret of every invitation, password reset, email
    confirmation and stop-link path in it replaced by ``[redacted]``."""
    if "/" not in text and "%2" not in text:
        return text
    return _SECRET_PATH.sub(_redact, text)


class ClientErrorTracebackFilter(logging.Filter):
    """A 4xx answer (a page refused or not found, a request the portal could not read)
    is logged as its one-line warning, without the traceback Django attaches to a
    refused page: the traceback says nothing about the portal, and a log full of
    them hides the ones that matter. Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class SecretPathFilter(logging.Filter):
    """No secret path in a log line: Django's request logs (``Not Found:
    /invitations/<token>/``, ``Too Many Requests: ...``) and runserver's request
    lines name the path, and a live invitation token or password reset key there
    is a key to someone's account. The message is formatted and redacted once."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = secrets_redacted(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class ContextFilter(logging.Filter):
    """Puts the current request's id (web) or task's id (worker) on each record.
    Django logs a 4xx or 5xx after the middleware has returned: its record names
    the request, which holds the id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_current()
        if getattr(record, "task_id", None) is None:
            record.task_id = task_id_current()
        return True


def access_atoms_redact(atoms: dict) -> None:
    """Redact every secret path in gunicorn's access-log atoms (request line, path,
    query, Referer, headers, environ), in place (they are gunicorn's SafeAtoms)."""
    for key, value in atoms.items():
        if isinstance(value, str):
            redacted = secrets_redacted(value)
            if redacted != value:
                dict.__setitem__(atoms, key, redacted)


class GunicornAccessFilter(logging.Filter):
    """gunicorn's access log: its atoms redacted (``access_atoms_redact``), and the
    request id the portal answered with (``X-Request-ID``), the status and the time
    taken put on the record, for the portal's formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if not isinstance(atoms, dict):
            return True
        access_atoms_redact(atoms)
        request_id = atoms.get("{x-request-id}o")
        if request_id and request_id != "-":
            record.request_id = request_id
        status = str(atoms.get("s", ""))
        if status.isdigit():
            record.status_code = int(status)
        if isinstance(atoms.get("M"), int):
            record.duration_ms = atoms["M"]
        return True
