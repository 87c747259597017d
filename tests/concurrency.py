"""Running calls at the same moment, for the tests of what two requests or two
workers do at once (row locks, unique constraints): each call runs in a thread of
its own, with a database connection of its own, which it closes when done."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, connections

ROW_LOCKS = "Row locks need PostgreSQL (SQLite serialises writers differently)"


def needs_postgresql(reason: str = ROW_LOCKS) -> None:
    """Skip the test on SQLite, which runs one writer at a time."""
    if connection.vendor != "postgresql":
        pytest.skip(reason)


@dataclass
class Race:
    results: list[Any] = field(default_factory=list)  # each call's, in the calls' order
    errors: list[BaseException] = field(default_factory=list)


def at_once(*calls: Callable[[], Any], together: bool = True, timeout: float = 30) -> Race:
    """Run ``calls`` in threads and wait for every one; return their results and the
    errors they raised. ``together``: the threads are held at a barrier and released
    at the same moment (pass False when the calls meet at a barrier of their own)."""
    start = threading.Barrier(len(calls), timeout=timeout) if together else None
    race = Race(results=[None] * len(calls))
    lock = threading.Lock()

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            if start is not None:
                start.wait()
            result = call()
            with lock:
                race.results[index] = result
        except Exception as error:  # reported to the test
            with lock:
                race.errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return race


def meeting_point(parties: int = 2, timeout: float = 30) -> threading.Barrier:
    """A barrier for calls that must meet part-way through (after deciding, before
    writing, say), for ``at_once(..., together=False)``."""
    return threading.Barrier(parties, timeout=timeout)
