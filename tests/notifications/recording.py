"""Email and SMS backends that record each send in a file, for a worker in another process.

The locmem backends keep what they send in the memory of the process that sent
it, which a test cannot see when a real Celery worker delivers. These append
one line per send, ``channel<TAB>address<TAB>provider id``, to the file named by
``DELIVERY_RECORD_FILE``, opened with O_APPEND so that lines from several
processes never interleave. The file is what the provider received: a message
sent twice has two lines, whatever the outbox row says.

``DELIVERY_RECORD_LATENCY`` (seconds, default 0) is how long the provider takes
to answer after it has accepted a message: a worker killed in that window has
sent the message without recording it as sent.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from notifications.sms import BaseSmsBackend


def _record(channel: str, address: str) -> str:
    provider_id = f"recorded-{uuid.uuid4()}"
    line = f"{channel}\t{address}\t{provider_id}\n".encode()
    descriptor = os.open(
        os.environ["DELIVERY_RECORD_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)
    latency = float(os.environ.get("DELIVERY_RECORD_LATENCY") or 0)
    if latency:
        time.sleep(latency)
    return provider_id


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for email in email_messages:
            for address in email.recipients():
                _record("email", address)
        return len(email_messages)


class RecordingSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, reference: str) -> str:
        return _record("sms", to)


def recorded_deliveries(path: Path) -> Counter[tuple[str, str]]:
    """How many times each (channel, address) was sent, from the record file."""
    if not path.exists():
        return Counter()
    counts: Counter[tuple[str, str]] = Counter()
    for line in path.read_text().splitlines():
        channel, address, _ = line.split("\t")
        counts[channel, address] += 1
    return counts
