"""Test helper: a blocking Server-Sent Events client on a raw socket (the server: testing/servers.py).

The client speaks HTTP/1.1 itself (as the benchmark does), so the tests see exactly the bytes a browser's
EventSource would: status, headers, chunked body, `id:`/`event:`/`data:` fields and comments.
"""

from __future__ import annotations

import json
import socket
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
