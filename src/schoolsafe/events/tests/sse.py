"""Test helpers: a blocking Server-Sent Events client on a raw socket, and a real server in a thread.

The client speaks HTTP/1.1 itself (as the benchmark does), so the tests see exactly the bytes a browser's
EventSource would: status, headers, chunked body, `id:`/`event:`/`data:` fields and comments.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SSEEvent:
    id: int | None
    event: str
    data: str
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


class StreamClosed(Exception):
    """The server ended the stream (or the connection)."""


class SSEClient:
    """GET a stream; `next_event()` returns the next event (comments collected on `comments`)."""

    def __init__(self, port: int, path: str = "/api/v1/events", headers: dict[str, str] | None = None,
                 timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
        request += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
        self.sock.sendall(request.encode())
        self.raw = b""
        self.sse = b""
        self.comments: list[str] = []
        self.ended = False
        head = self._read_until(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"

    def _recv(self, timeout: float | None = None) -> bytes:
        if timeout is not None:
            self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            raise StreamClosed("connection closed")
        return data

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.raw:
            self.raw += self._recv()
        head, self.raw = self.raw.split(marker, 1)
        return head

    def body(self) -> bytes:
        """The whole body of a non-streaming answer (Content-Length)."""
        length = int(self.headers.get("content-length", "0"))
        while len(self.raw) < length:
            self.raw += self._recv()
        return self.raw[:length]

    def _dechunk(self) -> None:
        while True:
            end = self.raw.find(b"\r\n")
            if end < 0:
                return
            size = int(self.raw[:end], 16)
            if len(self.raw) < end + 2 + size + 2:
                return
            if size == 0:
                self.ended = True
                self.raw = b""
                return
            self.sse += self.raw[end + 2:end + 2 + size]
            self.raw = self.raw[end + 2 + size + 2:]

    def next_event(self, timeout: float = 5.0) -> SSEEvent:
        """The next event with a data field; raises TimeoutError or StreamClosed."""
        deadline = time.monotonic() + timeout
        while True:
            self._dechunk() if self.chunked else None
            while b"\n\n" in self.sse:
                block, self.sse = self.sse.split(b"\n\n", 1)
                event = self._parse(block.decode())
                if event is not None:
                    return event
            if self.ended:
                raise StreamClosed("the server ended the stream")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event in time")
            try:
                data = self._recv(left)
            except TimeoutError:
                raise TimeoutError("no event in time") from None
            if self.chunked:
                self.raw += data
            else:
                self.sse += data

    def _parse(self, block: str) -> SSEEvent | None:
        event_id, kind, data = None, "message", []
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
            elif line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if not data:
            return None
        return SSEEvent(event_id, kind, "\n".join(data))

    def events(self, count: int, timeout: float = 5.0) -> list[SSEEvent]:
        return [self.next_event(timeout) for _ in range(count)]

    def no_event(self, within: float) -> bool:
        """True when no event arrives within `within` seconds."""
        try:
            self.next_event(within)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.sock.close()


class ThreadServer:
    """SchoolSafe's ASGI application on uvicorn (as `schoolsafe serve` runs it), in a thread of the test
    process, so it shares the test database and settings. Real sockets, a port chosen by the OS."""

    def __init__(self) -> None:
        import uvicorn

        from schoolsafe.asgi import application

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(application, lifespan="on", log_level="warning", timeout_graceful_shutdown=2)
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
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def hub(self) -> Any:
        from schoolsafe.events import bus

        assert self.loop is not None
        return bus._hubs.get(self.loop)

    def call(self, fn: Any) -> Any:
        """Run `fn()` on the server's loop and return its result (to read the hub's state safely)."""
        assert self.loop is not None
        done = threading.Event()
        box: list[Any] = []
        self.loop.call_soon_threadsafe(lambda: (box.append(fn()), done.set()))
        done.wait(5)
        return box[0]

    def stop(self) -> None:
        # What SIGTERM does to `schoolsafe serve` (the hub chains uvicorn's signal handler, which only
        # the main thread has): open streams end first, so the shutdown does not wait on them.
        hub = self.hub()
        if hub is not None:
            self.call(hub.begin_shutdown)
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()
