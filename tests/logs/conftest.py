import io
import logging
from logging.config import dictConfig

import pytest
from django.conf import settings

from portal.log_format import logging_config


@pytest.fixture
def portal_log():
    """Configure logging as a process with ``LOG_FORMAT`` does (``logging_config``)
    and return what its one handler writes; Django's LOGGING is put back after."""

    def configure(log_format: str = "keyvalue") -> io.StringIO:
        dictConfig(logging_config(log_format=log_format))
        (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
        stream = io.StringIO()
        handler.setStream(stream)
        return stream

    yield configure
    dictConfig(settings.LOGGING)
