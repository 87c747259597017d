"""One log format for web, worker and beat: a timestamp, the level, the logger, the
process, the request id (web) or task id (worker), then the message; key=value by
default, one JSON object a line with ``LOG_FORMAT=json``. Django's ``LOGGING``
(portal/settings.py), Celery (portal/celery.py) and gunicorn (portal/gunicorn.py)
all use ``logging_config``."""

import json
import logging
import re
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("keyvalue", "json")
# Set on a record by the filters in portal.log_filters (or Django's own extras);
# written, in this order, when present.
CONTEXT_FIELDS = ("request_id", "task_id", "status_code", "duration_ms")
_PLAIN_VALUE = re.compile(r"[^\s\"=\\]+")


def _fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict:
    fields = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "process": record.process,
    }
    for name in CONTEXT_FIELDS:
        value = getattr(record, name, None)
        if value is not None and value != "":
            fields[name] = value
    fields["msg"] = record.getMessage()
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        fields["exc"] = record.exc_text
    if record.stack_info:
        fields["stack"] = formatter.formatStack(record.stack_info)
    return fields


def _value(value) -> str:
    text = str(value)
    if _PLAIN_VALUE.fullmatch(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=INFO logger=... process=123 request_id=... msg="..."``: one
    line a record, a traceback included (its newlines escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_value(value)}" for key, value in _fields(record, self).items())


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the same fields as ``KeyValueFormatter``."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record, self), ensure_ascii=False, default=str)


def logging_config(*, log_format: str = "keyvalue", level: str = "INFO") -> dict:
    """The ``dictConfig`` of every process: one handler to stderr, in ``log_format``,
    that adds the request or task id and redacts secret paths; Django's request
    logs and gunicorn's access log redacted at their loggers too (so whatever else
    listens sees no secret), and a 4xx logged without a traceback."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(
            f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}."
        )
    formatter = JsonFormatter if log_format == "json" else KeyValueFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": {"()": f"portal.log_format.{formatter.__name__}"}},
        "filters": {
            "context": {"()": "portal.log_filters.ContextFilter"},
            "secret_paths": {"()": "portal.log_filters.SecretPathFilter"},
            "client_error_traceback": {"()": "portal.log_filters.ClientErrorTracebackFilter"},
            "gunicorn_access": {"()": "portal.log_filters.GunicornAccessFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "portal",
                "filters": ["context", "secret_paths"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (the console in DEBUG, mail to ADMINS) left out:
            # every line goes through the one handler above, once.
            "django": {"handlers": [], "level": "INFO"},
            "django.db.backends": {"level": "WARNING"},
            # A refused or missing page is one line in the log, never a traceback.
            "django.request": {"filters": ["secret_paths", "client_error_traceback"]},
            "django.server": {"filters": ["secret_paths"], "propagate": True},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {
                "handlers": ["console"],
                "filters": ["gunicorn_access"],
                "level": "INFO",
                "propagate": False,
            },
        },
    }
