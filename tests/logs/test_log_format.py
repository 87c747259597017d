"""One log format for web, worker and beat: timestamp, level, logger, process, then
the request id on web lines and the task id on worker lines, as key=value or JSON
(``LOG_FORMAT``); an ordinary 403 or 404 is one line without a traceback."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portal.celery import app as celery_app
from portal.log_context import RequestIdMiddleware
from portal.log_format import logging_config
from tests.factories import GuardianshipFactory

pytestmark = pytest.mark.django_db

KEY_VALUE_START = re.compile(
    r"^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 level=(\w+) logger=(\S+) process=(\d+) "
)


@celery_app.task(name="tests.logs.log_line_task")
def log_line_task():
    logging.getLogger("tests.logs").info("working on it")


def lines_of(stream, logger: str) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if f"logger={logger} " in line]


def json_lines_of(stream, logger: str) -> list[dict]:
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [record for record in records if record["logger"] == logger]


def test_a_web_request_names_its_request_id_in_its_log_line_and_its_answer(client, portal_log):
    output = portal_log("keyvalue")

    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42.a")

    assert response["X-Request-ID"] == "req-42.a"
    (line,) = lines_of(output, "django.request")
    assert KEY_VALUE_START.match(line).groups()[:2] == ("WARNING", "django.request")
    assert f"process={os.getpid()} request_id=req-42.a status_code=404 " in line
    assert line.endswith('msg="Not Found: /no-such-page/"')


def test_in_json_each_line_parses_and_names_the_request_id(client, portal_log):
    output = portal_log("json")

    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-43")

    assert response["X-Request-ID"] == "req-43"
    (record,) = json_lines_of(output, "django.request")
    assert record["level"] == "WARNING" and record["process"] == os.getpid()
    assert record["request_id"] == "req-43" and record["msg"] == "Not Found: /no-such-page/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["ts"])


def test_lines_written_while_a_request_is_served_carry_its_id(portal_log):
    output = portal_log("keyvalue")

    def view(request):
        logging.getLogger("tests.logs").info("serving")
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))

    (line,) = lines_of(output, "tests.logs")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert f"request_id={response['X-Request-ID']} " in line


@pytest.mark.parametrize("incoming", ["a b", 'x"y', "line\nforged=1", "", "z" * 101, "-start"])
def test_an_incoming_request_id_that_could_forge_a_line_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_tasks_log_lines_carry_its_task_id(portal_log):
    output = portal_log("keyvalue")

    result = log_line_task.apply()

    (line,) = lines_of(output, "tests.logs")
    assert f"task_id={result.id} " in line and 'msg="working on it"' in line


def test_a_tasks_log_lines_in_json_carry_its_task_id(portal_log):
    output = portal_log("json")

    result = log_line_task.delay()

    (record,) = json_lines_of(output, "tests.logs")
    assert record["task_id"] == result.id and "request_id" not in record


def test_outside_a_task_no_task_id_is_left_behind(portal_log):
    log_line_task.apply()
    output = portal_log("keyvalue")

    logging.getLogger("tests.logs").info("after")

    (line,) = lines_of(output, "tests.logs")
    assert "task_id=" not in line


def test_workers_and_beat_log_in_the_portals_format():
    """Celery's own logging setup (worker and beat) gives way to the portal's."""
    script = (
        "import logging; from portal.celery import app; app.log.setup(loglevel='INFO'); "
        "logging.getLogger('celery.worker').info('worker ready')"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "portal.settings"}

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert {"logger": "celery.worker", "msg": "worker ready", "level": "INFO"}.items() <= (
        lines[-1].items()
    ), done.stderr


def test_a_refused_page_is_one_line_without_a_traceback(client, settings, portal_log):
    settings.DEBUG = False
    client.force_login(GuardianshipFactory().parent)
    output = portal_log("keyvalue")

    response = client.get(reverse("learning:topic_list"))

    assert response.status_code == 403
    (line,) = lines_of(output, "django.request")
    assert "status_code=403" in line and "exc=" not in line
    assert "Traceback" not in output.getvalue()


def test_a_missing_page_is_one_json_line_without_a_traceback(client, settings, portal_log):
    settings.DEBUG = False
    output = portal_log("json")

    client.get("/no-such-page/")

    (record,) = json_lines_of(output, "django.request")
    assert record["status_code"] == 404 and "exc" not in record
    assert "Traceback" not in output.getvalue()


def test_an_error_keeps_its_traceback_on_its_one_line(portal_log):
    output = portal_log("keyvalue")

    try:
        raise RuntimeError("the portal broke")
    except RuntimeError:
        logging.getLogger("tests.logs").exception("failed")

    (line,) = output.getvalue().splitlines()
    assert 'exc="Traceback (most recent call last):\\n' in line
    assert "RuntimeError: the portal broke" in line


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be one of keyvalue, json"):
        logging_config(log_format="xml")
