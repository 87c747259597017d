"""Say whether the demo can serve on a port, before ``make demo`` migrates and seeds.

    python manage.py demo_port_check PORT

Exits 0 when 127.0.0.1:PORT is free; otherwise stops with a message naming a free
port to use instead (``make demo PORT=...``).
"""

import errno
import socket

from django.core.management.base import BaseCommand, CommandError

HOST = "127.0.0.1"
# How many ports above a taken one to look through for a free one to suggest.
SUGGESTION_RANGE = 20


def port_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on host:port now (as runserver binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # runserver sets SO_REUSEADDR too: a port left in TIME_WAIT is free for it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in {errno.EADDRINUSE, errno.EACCES}:
                return False
            raise
    return True


class Command(BaseCommand):
    help = "Check that the demo's port is free (make demo runs this first)."

    def add_arguments(self, parser):
        parser.add_argument("port", type=int, help="the port make demo will serve on")

    def handle(self, *args, port: int, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"{port} is not a port number (1 to 65535).")
        if port_free(port):
            return
        suggestion = next(
            (
                candidate
                for candidate in range(port + 1, min(port + SUGGESTION_RANGE, 65535) + 1)
                if port_free(candidate)
            ),
            None,
        )
        hint = f"run make demo PORT={suggestion}" if suggestion else "choose another PORT"
        raise CommandError(
            f"Port {port} on {HOST} is in use (is the demo already running?). "
            f"Stop what is using it, or {hint}."
        )
