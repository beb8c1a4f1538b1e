"""Real local servers for the notification tests: an SMTP server (aiosmtpd) and HTTP receivers, each on a
free port of 127.0.0.1, in a thread, recording what they received."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


class _Collector:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self, refuse: int = 0) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused = 0
        self.refuse = refuse
        self.received = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.received:
            if self.refused < self.refuse:
                # A temporary failure, as a busy or greylisting mail server answers.
                self.refused += 1
                self.received.notify_all()
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.notify_all()
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):
    """aiosmtpd's threaded controller on the port the OS picks (port 0)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPServer:
    """A real SMTP server on 127.0.0.1 in a thread; `.messages` are the emails it received. It answers the
    first `refuse` messages with a temporary failure (451)."""

    def __init__(self, refuse: int = 0) -> None:
        self.handler = _Collector(refuse)
        self.controller = _AnyPortController(self.handler, hostname="127.0.0.1", port=0)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.handler.messages)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        with self.handler.received:
            self.handler.received.wait_for(lambda: len(self.handler.messages) >= count, timeout)
        return self.messages


@dataclass
class Received:
    """One request an HTTP receiver got, and what it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: int
    note: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class HTTPReceiver:
    """A real HTTP server on 127.0.0.1 in a thread. `decide(request) -> (status, note)` answers each POST;
    by default the statuses in `script` are used in turn (the last one repeats)."""

    script: list[int] = field(default_factory=lambda: [200])
    decide: Callable[[Received], tuple[int, str]] | None = None
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.received = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time(), 0)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.received:
                    if receiver.decide is not None:
                        status, note = receiver.decide(request)
                    else:
                        done = len(receiver.requests)
                        status, note = receiver.script[min(done, len(receiver.script) - 1)], ""
                    request.answered, request.note = status, note
                    receiver.requests.append(request)
                    receiver.received.notify_all()
                payload = json.dumps({"status": status, "note": note}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> HTTPReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self.received:
            self.received.wait_for(lambda: len(self.requests) >= count, timeout)
        return list(self.requests)


def basic_credentials(headers: dict[str, str]) -> tuple[str, str] | None:
    """(user, password) from an Authorization: Basic header, or None."""
    value = headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return None
    user, _, password = base64.b64decode(value[6:]).decode().partition(":")
    return user, password
