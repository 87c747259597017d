"""Shared set-up for the benchmarks of pages: gunicorn on the benchmark database,
signed-in sessions for the demo accounts, and timing requests.

Requests go over HTTP to a real gunicorn (``--workers 2``, sync workers, as the
Procfile runs it), one at a time, each on a new connection (sync workers close
it after every response). A staff session is made as the sign-in would make it,
second factor passed, straight in the session table, so no code is typed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
WORKERS = 2


class Gunicorn:
    """``gunicorn portal.wsgi`` on ``port`` with ``WORKERS`` workers; extra
    environment (``CONN_MAX_AGE`` for instance) as given."""

    def __init__(self, *, port: int, database_url: str, **env: str):
        self.port = port
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(PROJECT_DIR),
            # WhiteNoise warns that collectstatic has not run; the pages do not need it.
            "PYTHONWARNINGS": "ignore::UserWarning",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_DIR,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/healthz").status == 200:
                    # Both workers answer before anything is timed.
                    for _ in range(4 * WORKERS):
                        get(self.port, "/healthz")
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    body: bytes
    location: str


def get(port: int, path: str, session: str = "") -> Answer:
    """GET ``path`` on a new connection, with the session cookie if given."""
    headers = {"Host": "127.0.0.1"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return Answer(
        response.status, time.perf_counter() - started, body, response.getheader("Location", "")
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Timing:
    label: str
    times: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 0.95)


def time_page(port: int, path: str, *, session: str, requests: int, label: str) -> Timing:
    """``requests`` GETs of ``path``; every one must answer 200."""
    times = []
    for _ in range(requests):
        answer = get(port, path, session)
        if answer.status != 200:
            raise PageError(f"{label}: {path} answered {answer.status} {answer.location}".strip())
        times.append(answer.seconds)
    return Timing(label, times)


class PageError(Exception):
    """A page did not answer 200."""


def quiet_static_warning() -> None:
    """This process's test client meets the same WhiteNoise warning."""
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def session_for(user) -> str:
    """A session key for ``user``, signed in, staff with the second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies["sessionid"].value


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def benchmark_start(
    description: str, *, default_port: int
) -> tuple[argparse.Namespace, str] | None:
    """The command line every page benchmark shares (``--requests``, ``--port``,
    ``--seed-first``), then Django on the PostgreSQL benchmark database, seeded at
    scale first when asked. Returns the arguments and the database URL, or None
    when DATABASE_URL is not PostgreSQL (said on standard output)."""
    from database import ensure_database, setup_django

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument(
        "--seed-first", action="store_true", help="seed 10 schools x 2000 pupils x 100 events"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"This benchmark measures PostgreSQL; DATABASE_URL is {url!r}.")
        return None
    ensure_database(url)
    quiet_static_warning()
    setup_django(url)
    if args.seed_first:
        from django.core.management import call_command

        call_command(
            "seed_demo",
            *("--schools", "10", "--pupils-per-school", "2000", "--events-per-pupil", "100"),
        )
    return args, url
