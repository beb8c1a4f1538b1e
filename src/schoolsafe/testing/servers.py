"""The servers the tests run against, each on a port the OS picks on 127.0.0.1 (so that two test processes
never collide on one): SchoolSafe itself, in a thread of the test process (`ThreadServer`) or as its own
`schoolsafe serve` process (`ServeProcess`), and the outside world it talks to: a real SMTP server
(`SMTPServer`, aiosmtpd) and HTTP receivers for webhooks and SMS gateways (`HTTPReceiver`), each recording
what it received.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on now (for a server the test starts, or one it wants to find closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# SchoolSafe in a thread of the test process -----------------------------------------------------------------


class ThreadServer:
    """SchoolSafe's ASGI application on uvicorn in a thread of the test process.

    It runs as `schoolsafe serve` runs it (uvicorn, its event loop, the lifespan protocol), on a real socket
    with a port chosen by the OS, and it shares the test process's database and settings: data a test wants
    the server to see must be committed (transactional_db). Stopping it ends open event streams first (what
    SIGTERM does to `schoolsafe serve`) and closes the server's database connections, so that the test
    database can be dropped afterwards.
    """

    def __init__(self, *, proxy_headers: bool | None = None, log_level: str = "warning", http: str = "auto") -> None:
        import uvicorn

        from schoolsafe.asgi import application
        from schoolsafe.cli import proxy_options

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # No access log, as in `schoolsafe serve`; proxy headers trusted as SCHOOLSAFE_TRUSTED_PROXIES says
        # (as in `schoolsafe serve`), or from 127.0.0.1 when asked (a test that plays a proxy).
        proxies = proxy_options() if proxy_headers is None else {
            "proxy_headers": proxy_headers, "forwarded_allow_ips": "127.0.0.1"}
        config = uvicorn.Config(application, lifespan="on", access_log=False, log_config=None, log_level=log_level,
                                timeout_graceful_shutdown=2, http=http, **proxies)
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve(sockets=[self.sock])

        # The loop uvicorn would pick (uvloop when installed), as `schoolsafe serve` runs.
        with asyncio.Runner(loop_factory=self.server.config.get_loop_factory()) as runner:
            runner.run(serve())

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def hub(self) -> Any:
        """The event hub of the server's loop (None before the first stream or the lifespan started it)."""
        from schoolsafe.events import bus

        assert self.loop is not None
        return bus._hubs.get(self.loop)

    def call(self, fn: Any) -> Any:
        """Run `fn()` on the server's loop and return its result (to read the hub's state safely)."""
        assert self.loop is not None
        done = threading.Event()
        box: list[Any] = []

        def run() -> None:
            box.append(fn())
            done.set()

        self.loop.call_soon_threadsafe(run)
        done.wait(5)
        return box[0]

    def stop(self) -> None:
        # What SIGTERM does to `schoolsafe serve` (the hub chains uvicorn's signal handler, which only
        # the main thread has): open streams end first, so the shutdown does not wait on them. The
        # lifespan shutdown then stops the hub and closes the request threads' database connections.
        if self.loop is not None and self.thread.is_alive():
            hub = self.hub()
            if hub is not None:
                self.call(hub.begin_shutdown)
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()

    def __enter__(self) -> ThreadServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# SchoolSafe as its own process -------------------------------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL, so that a server process uses the same one as the test."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def serve_env() -> dict[str, str]:
    """The environment of a server process on the test database and the test's data folder."""
    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": database_url(), "SCHOOLSAFE_DATA": str(settings.DATA_DIR),
           "LOG_LEVEL": "WARNING"}
    env.pop("DEBUG", None)
    return env


class ServeProcess:
    """`schoolsafe serve` on a free port of 127.0.0.1, in its own process, started by the constructor and
    ready (its health check answers) when it returns.

    `env` is the process's whole environment; by default the test database's (`serve_env`, data the
    test wants the server to see must be committed). Its output goes to `log_path` (a file a failing test
    leaves behind to read) or to a temporary file; `output()` reads it. As a context manager it is stopped
    with SIGTERM on the way out, as an operator stops it.
    """

    def __init__(self, env: dict[str, str] | None = None, *, port: int | None = None,
                 log_path: Path | None = None, timeout: float = 60.0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = serve_env() if env is None else env
        self.log: IO[bytes] = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "schoolsafe.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"schoolsafe serve exited with {self.process.returncode}: {self.output()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"schoolsafe serve did not become ready: {self.output()[-2000:]}")

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, Any]:
        """One JSON request: (status, decoded body or None)."""
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if body is not None else None
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 15.0) -> float:
        """SIGTERM, as an operator stops it; returns how long it took to exit."""
        if self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()


# The outside world: mail and HTTP receivers ------------------------------------------------------------------


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
        # Called once the controller has started its server, an asyncio.Server (loop.create_server).
        assert isinstance(self.server, asyncio.Server)
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
        assert isinstance(host, str)  # bound to "127.0.0.1" in __init__
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
