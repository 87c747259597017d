"""gunicorn's settings for the web process (the Procfile's ``--config
python:portal.gunicorn``): its error and access logs in the portal's one format
(portal/log_format.py, ``LOG_FORMAT``), with the request id the portal answered
with, and every invitation token, password reset key and email confirmation key
redacted from request lines, paths, queries and Referers
(portal.log_filters.GunicornAccessFilter)."""

import os

from portal.log_format import logging_config

# The access line's message; the formatter adds the time, level, logger, process,
# request id, status and duration. No user agent or Referer: they say nothing the
# portal needs, and a Referer can carry another site's secrets.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "keyvalue"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
