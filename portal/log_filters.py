"""Filters for the portal's logging configuration (``LOGGING`` in settings)."""

import logging


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
