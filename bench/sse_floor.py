"""The floor for bench/alert_fanout.py: the least a Server-Sent Events broadcaster can do in Python.

    python bench/sse_floor.py --port PORT [--uvloop]

One asyncio process, no framework: `GET /events` answers 200 `text/event-stream` (chunked, as uvicorn
sends ours) and keeps the connection; `POST /publish` with a JSON body writes one SSE event to every open
connection (the same bytes to each, straight to the transport) and answers 201. No authentication, no
database, no access rule: whatever SchoolSafe's stream costs beyond this is the price of those.
Prints "ready" on stdout when listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys

HEADERS = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-store\r\n"
           b"transfer-encoding: chunked\r\n\r\n")


class Broadcaster:
    def __init__(self) -> None:
        self.streams: set[asyncio.Transport] = set()
        self.next_id = 0

    def publish(self, data: bytes) -> int:
        self.next_id += 1
        body = b"id: %d\nevent: alert.raised\ndata: %s\n\n" % (self.next_id, data)
        chunk = b"%x\r\n%s\r\n" % (len(body), body)
        for transport in self.streams:
            transport.write(chunk)
        return self.next_id


class Connection(asyncio.Protocol):
    def __init__(self, hub: Broadcaster) -> None:
        self.hub = hub
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.hub.streams.discard(self.transport)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head, rest = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
        request_line, *header_lines = head.split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines if ":" in h)}
        assert self.transport is not None
        if method == "GET" and path.startswith("/events"):
            self.buffer = b""
            self.transport.write(HEADERS + b"%x\r\n: connected\n\n\r\n" % len(b": connected\n\n"))
            self.hub.streams.add(self.transport)
        elif method == "POST" and path == "/publish":
            length = int(headers.get("content-length", "0"))
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            event_id = self.hub.publish(json.dumps(json.loads(rest[:length]), separators=(",", ":")).encode())
            body = json.dumps({"id": event_id}).encode()
            self.transport.write(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                                 % (len(body), body))
        else:
            self.transport.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            self.transport.close()


async def serve(port: int) -> None:
    hub = Broadcaster()
    server = await asyncio.get_running_loop().create_server(lambda: Connection(hub), "127.0.0.1", port, backlog=4096)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop (as uvicorn does when installed)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        if args.uvloop:
            import uvloop

            uvloop.run(serve(args.port))
        else:
            asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
