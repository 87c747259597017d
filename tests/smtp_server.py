"""A small SMTP server on 127.0.0.1 for tests: it speaks just enough SMTP for
Django's SMTP email backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
keeps every message it accepts, in memory, as ``email.message.Message`` objects.

``stop()`` closes the listening socket, so that connecting is refused (an outage);
``start()`` listens again on the same port. With ``hang=True`` the server accepts
connections and never answers (a hung server, for timeouts).
"""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message as EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        owner = self.server.owner
        if owner.hang:
            owner.hung.wait()  # never answers while the test runs
            return
        self.reply("220 localhost test SMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.read_data()
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self) -> None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.server.owner.accept(email.message_from_bytes(b"".join(lines)))
        self.reply("250 OK queued")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    owner: LocalSmtpServer


class LocalSmtpServer:
    def __init__(self, *, hang: bool = False) -> None:
        self.hang = hang
        self.hung = threading.Event()
        self.port = 0
        self.received: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def accept(self, message: EmailMessage) -> None:
        with self._lock:
            self.received.append(message)

    def start(self) -> LocalSmtpServer:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.hung.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None
        self.hung = threading.Event()
