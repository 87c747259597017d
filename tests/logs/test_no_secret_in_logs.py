"""No secret in any log: live invitation tokens, password reset keys and email
confirmation keys are redacted from Django's request logs, runserver's request
lines and gunicorn's access log, and an invitation's token leaves the address on
first use (tests/invitations/test_link_leaves_the_address.py)."""

import io
import logging
import re
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from accounts.services.staff import password_set_url
from invitations.views import accept as accept_views
from portal.log_filters import secrets_redacted
from tests.factories import UserFactory
from tests.invitations.test_accept import invite, url  # noqa: F401

pytestmark = pytest.mark.django_db


class Records(logging.Handler):
    """Every record that reaches the root logger's handlers."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def written(portal_log):
    """The portal's log as configured (key=value), and every record its handlers see."""
    output = portal_log("keyvalue")
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    yield output, records.records
    root.removeHandler(records)


def assert_nowhere(secret: str, output, records) -> None:
    assert secret not in output.getvalue()
    for record in records:
        assert secret not in record.getMessage(), record.getMessage()


def test_invitation_tokens_are_in_no_log_line_even_when_guessing_is_limited(
    client,
    invite,  # noqa: F811
    written,
):
    output, records = written
    token, _, _ = invite()
    client.get(url(token))
    client.get(url("a-mistyped-link-of-a-family"))
    for n in range(accept_views.GUESS_LIMIT):
        client.get(url(f"guess-number-{n}"))

    blocked = client.get(url(token))

    assert blocked.status_code == 429
    assert "Too Many Requests: /invitations/[redacted]/" in output.getvalue()
    assert "Not Found: /invitations/[redacted]/" in output.getvalue()
    for secret in (token, "a-mistyped-link-of-a-family", "guess-number-3"):
        assert_nowhere(secret, output, records)


def test_password_reset_and_email_confirmation_keys_are_in_no_log_line(client, written):
    output, records = written
    user = UserFactory()
    reset_path = password_set_url(user=user).removeprefix(settings.SITE_URL.rstrip("/"))
    key = reset_path.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    wrong_reset = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "wrong-reset-key"}
    )
    confirm = reverse("account_confirm_email", kwargs={"key": "an-email-confirmation-key"})

    opened = client.get(reset_path)
    client.get(wrong_reset)
    client.get(confirm)
    # runserver's line for the same request, as django.core.servers.basehttp logs it
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET {reset_path} HTTP/1.1", "302", "0", extra={"status_code": 302}
    )

    assert opened.status_code == 302 and opened["Location"].endswith("-set-password/")
    messages = [record.getMessage() for record in records]
    assert '"GET /accounts/password/reset/key/[redacted]/ HTTP/1.1" 302 0' in messages
    for secret in (key, "wrong-reset-key", "an-email-confirmation-key"):
        assert_nowhere(secret, output, records)


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("Not Found: /invitations/AbC_12-x/", "Not Found: /invitations/[redacted]/"),
        (
            "https://portal.example.org/invitations/AbC_12-x/?x=1",
            "https://portal.example.org/invitations/[redacted]/?x=1",
        ),
        (
            "/accounts/login/?next=%2Finvitations%2FAbC_12-x%2F",
            "/accounts/login/?next=%2Finvitations%2F[redacted]%2F",
        ),
        ("/accounts/password/reset/key/3-abc-def/", "/accounts/password/reset/key/[redacted]/"),
        ("/accounts/confirm-email/MQ:1t:abc/", "/accounts/confirm-email/[redacted]/"),
    ],
)
def test_secret_paths_are_redacted(text, logged):
    assert secrets_redacted(text) == logged


@pytest.mark.parametrize(
    "path",
    [
        "/invitations/join/",
        "/accounts/password/reset/key/3-set-password/",
        "/schools/12/invitations/new/",
        "/schools/12/invitations/7/resend/",
    ],
)
def test_paths_without_a_secret_are_kept(path):
    assert secrets_redacted(f"Not Found: {path}") == f"Not Found: {path}"


def gunicorn_access_line(*, path: str, referer: str, request_id: str) -> str:
    """What gunicorn, configured by portal/gunicorn.py, writes for one request."""
    config = Config()
    for name, value in vars(import_module("portal.gunicorn")).items():
        if name in config.settings:
            config.set(name, value)
    log = GunicornLogger(config)
    (handler,) = [h for h in logging.getLogger("gunicorn.access").handlers if h.name == "console"]
    stream = io.StringIO()
    handler.setStream(stream)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(
        status="404 Not Found", sent=3597, headers=[("X-Request-ID", request_id)]
    )
    request = SimpleNamespace(headers=[("REFERER", referer)])
    log.access(response, request, environ, timedelta(milliseconds=12))
    return stream.getvalue()


def test_gunicorns_access_log_is_redacted_and_in_the_portals_format(portal_log):
    portal_log("keyvalue")

    line = gunicorn_access_line(
        path="/invitations/LiveToken_123/?next=%2Finvitations%2FLiveToken_123%2F",
        referer="https://mail.example.com/invitations/LiveToken_123/",
        request_id="req-7",
    ).strip()

    assert "LiveToken_123" not in line
    assert re.match(
        r"ts=\S+ level=INFO logger=gunicorn\.access process=\d+ request_id=req-7 "
        r"status_code=404 duration_ms=12 msg=",
        line,
    ), line
    request_line = "GET /invitations/[redacted]/?next=%2Finvitations%2F[redacted]%2F HTTP/1.1"
    assert f'\\"{request_line}\\" 404' in line


def test_the_web_process_runs_gunicorn_with_the_portals_config():
    (web,) = [
        line
        for line in Path(settings.BASE_DIR, "Procfile").read_text().splitlines()
        if line.startswith("web:")
    ]

    assert "--config python:portal.gunicorn" in web
    # gunicorn's own access handler would write a second, unredacted line.
    assert "--access-logfile" not in web and "--access-logformat" not in web
