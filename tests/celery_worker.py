"""A real Celery worker for tests marked ``@pytest.mark.celery_worker``.

The worker is a separate ``celery -A portal worker`` process (prefork pool, as in
production) on the Redis broker, connected to this session's *test* database on
PostgreSQL. Tasks sent by the test process go to Redis instead of running
in-process, so what is tested is the whole path: enqueue after commit, pick up,
run in another process, write rows the test can read back.

Such tests use ``transactional_db`` (the worker cannot see rows inside the test's
transaction). Without PostgreSQL and Redis they skip, or fail under
REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def _services_or_skip() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    problems = []
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL is not a PostgreSQL URL")
    if not redis_url:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as error:
            problems.append(f"Redis does not answer ({error})")
    if problems:
        message = "A real Celery worker needs PostgreSQL and Redis: " + "; ".join(problems)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return database_url, redis_url


def _with_database_name(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/" + quote(name)))


@dataclass
class CeleryWorker:
    """The running worker: its node name, its output, and a way to wait for results."""

    process: subprocess.Popen
    hostname: str
    log_file: IO[str]

    def log(self) -> str:
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], *, timeout: float = 60.0, what: str = ""):
        """Poll ``condition`` until it holds; fail with the worker's output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        state = (
            f"exited with {self.process.returncode}"
            if self.process.poll() is not None
            else "still running"
        )
        pytest.fail(
            f"Timed out waiting for {what or 'the worker'} (worker {state}).\n"
            f"Worker output:\n{self.log()}",
            pytrace=False,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # Warm shutdown: the worker finishes the task in hand, then its pool exits.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[CeleryWorker]:
    """Start a real worker on the test database; send tasks to it; stop it afterwards."""
    database_url, _ = _services_or_skip()
    from django.db import connection

    from portal.celery import app

    hostname = f"pytest-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DATABASE_URL": _with_database_name(database_url, connection.settings_dict["NAME"]),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed after the worker stops)
        "w+", prefix="celery-worker-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--pool=prefork", "--concurrency=2", "-l", "warning",
            "-n", hostname, "--without-gossip", "--without-mingle",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so its pool is stopped with it
    )  # fmt: skip
    worker = CeleryWorker(process=process, hostname=hostname, log_file=log_file)

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        node = hostname.replace("%h", os.uname().nodename)
        worker.wait_for(
            lambda: bool(app.control.ping(destination=[node], timeout=0.5)),
            timeout=START_TIMEOUT,
            what="the worker to answer a ping",
        )
        yield worker
    finally:
        app.conf.task_always_eager = was_eager
        _stop(process)
        # Captured by pytest and shown only if the test failed.
        print(f"--- output of Celery worker {hostname} ---\n{worker.log()}")
        log_file.close()
        os.unlink(log_file.name)
