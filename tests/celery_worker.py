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
from collections import Counter
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
    """The running worker: its node name, its output, and ways to wait for results,
    kill it outright and start it again."""

    command: list[str]
    env: dict[str, str]
    hostname: str
    log_file: IO[str]
    deliveries_file: Path | None = None
    process: subprocess.Popen | None = None
    kills: int = 0

    @property
    def node(self) -> str:
        return self.hostname.replace("%h", os.uname().nodename)

    def start(self) -> None:
        """Start the worker process and wait until it answers a ping."""
        from portal.celery import app

        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its pool is stopped with it
        )
        self.wait_for(
            lambda: bool(app.control.ping(destination=[self.node], timeout=0.5)),
            timeout=START_TIMEOUT,
            what="the worker to answer a ping",
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a lost machine would: no task
        in hand is finished, acknowledged or handed back to the broker."""
        assert self.process is not None and self.process.poll() is None, "worker not running"
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def log(self) -> str:
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")

    def queued_tasks(self) -> int:
        """How many tasks wait on the broker's default queue (not those a worker holds)."""
        import redis

        from portal.celery import app

        client = redis.Redis.from_url(self.env["REDIS_URL"])
        return client.llen(app.conf.task_default_queue)

    def deliveries(self) -> Counter[tuple[str, str]]:
        """What the recording backends sent: a count per (channel, address)."""
        from tests.notifications.recording import recorded_deliveries

        assert self.deliveries_file is not None, "mark the test celery_worker(record=True)"
        return recorded_deliveries(self.deliveries_file)

    def wait_for(self, condition: Callable[[], bool], *, timeout: float = 60.0, what: str = ""):
        """Poll ``condition`` until it holds; fail with the worker's output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.2)
        state = (
            f"exited with {self.process.returncode}"
            if self.process is not None and self.process.poll() is not None
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
    # Warm shutdown: the worker finishes the task in hand, then stops its pool. (SIGTERM
    # to the whole group would reach the pool processes too and cut their tasks short.)
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def _forget_queued_tasks(redis_url: str) -> None:
    """Drop what a killed worker left on the broker (queued and unacknowledged tasks),
    so that it cannot reach the next test's worker."""
    import redis

    from portal.celery import app

    app.control.purge()
    client = redis.Redis.from_url(redis_url)
    client.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def celery_worker(request, transactional_db, tmp_path) -> Iterator[CeleryWorker]:
    """Start a real worker on the test database; send tasks to it; stop it afterwards.

    Options come from the test's marker: ``@pytest.mark.celery_worker(concurrency=1,
    record=True, provider_latency=0.005)`` runs one pool process whose email and
    SMS go to the recording backends of tests/notifications/recording.py.
    """
    database_url, redis_url = _services_or_skip()
    from django.db import connection

    from portal.celery import app

    marker = request.node.get_closest_marker("celery_worker")
    options = dict(marker.kwargs) if marker else {}
    concurrency = int(options.pop("concurrency", 2))
    record = bool(options.pop("record", False))
    provider_latency = float(options.pop("provider_latency", 0))
    assert not options, f"Unknown celery_worker options: {sorted(options)}"

    hostname = f"pytest-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DATABASE_URL": _with_database_name(database_url, connection.settings_dict["NAME"]),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    deliveries_file = None
    if record:
        deliveries_file = tmp_path / "deliveries.tsv"
        env.update(
            EMAIL_BACKEND="tests.notifications.recording.RecordingEmailBackend",
            SMS_BACKEND="tests.notifications.recording.RecordingSmsBackend",
            DELIVERY_RECORD_FILE=str(deliveries_file),
            DELIVERY_RECORD_LATENCY=str(provider_latency),
        )
    env.pop("EMAIL_URL", None)  # it would override EMAIL_BACKEND
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed after the worker stops)
        "w+", prefix="celery-worker-", suffix=".log", delete=False
    )
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "--pool=prefork", f"--concurrency={concurrency}", "-l", "warning",
        "-n", hostname, "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    worker = CeleryWorker(
        command=command,
        env=env,
        hostname=hostname,
        log_file=log_file,
        deliveries_file=deliveries_file,
    )

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        if worker.kills:
            _forget_queued_tasks(redis_url)
        app.conf.task_always_eager = was_eager
        # Captured by pytest and shown only if the test failed.
        print(f"--- output of Celery worker {hostname} ---\n{worker.log()}")
        log_file.close()
        os.unlink(log_file.name)
