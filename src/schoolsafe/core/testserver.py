"""For tests: SchoolSafe's ASGI application on uvicorn in a thread of the test process.

It runs as `schoolsafe serve` runs it (uvicorn, its event loop, the lifespan protocol), on a real socket
with a port chosen by the OS, and it shares the test process's database and settings: data a test wants
the server to see must be committed (transactional_db). Stopping it ends open event streams first (what
SIGTERM does to `schoolsafe serve`) and closes the server's database connections, so that the test
database can be dropped afterwards.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any


class ThreadServer:
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
        self.loop.call_soon_threadsafe(lambda: (box.append(fn()), done.set()))
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
