"""A Web Push service on loopback for the tests and bench/push_fanout.py: it records each message it receives
(headers and the encrypted body) and answers with the status given for its path (201 by default), and a device
whose private keys decrypt the messages (RFC 8291, aes128gcm) as a browser would."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Device:
    """A browser's push subscription: its P-256 key pair and authentication secret (RFC 8291 §3)."""

    endpoint: str
    private_key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def keys(self) -> dict[str, str]:
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret,
                                 version="aes128gcm")
        return json.loads(plain)


class PushService:
    """`with PushService() as service:` ... `service.endpoint("dev1")`, `service.received`, `service.status[path]`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status: dict[str, int] = {}
        self.arrived = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with outer.arrived:
                    outer.received.append(Received(self.path, headers, body, time.monotonic()))
                    outer.arrived.notify_all()
                code = outer.status.get(self.path, 201)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                if code == 201:
                    self.send_header("Location", f"{self.path}/msg/{len(outer.received)}")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def device(self, name: str) -> Device:
        return Device(self.endpoint(name))

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
