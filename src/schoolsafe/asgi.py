"""The ASGI entry point: Django, the event stream beside it, and the lifespan protocol (Django does not speak it).

Django runs as a WSGI application on a fixed pool of request threads (a2wsgi), not through Django's own
ASGI handler. Every view of ours is synchronous, and Django's ASGI handler runs each request's sync code
in a thread of its own, started for that request and ended after it: a thread start on the event loop and
a new database connection per request. On this kind of machine (2 cores, SQLite) that cost 8.8 ms of
server CPU per alert POST; on the pool, with connections kept (CONN_MAX_AGE), it measured 5.5 ms (see
docs/alerts.md, Measuring). The event stream (events/stream.py) stays a raw ASGI application on the loop.

The alert path has a lane of its own: a second, smaller pool of request threads that only alert requests
use (raising, acknowledging, all clear, room status, messages: POSTs under /api/v1/alerts and /alerts/, and
the alert pages under /alerts/). Anonymous work (tips with attachments, sign-ins) can fill every thread of
the general pool without an alert waiting behind it (bench/attack_lanes.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, cast

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402

if TYPE_CHECKING:
    from a2wsgi.asgi_typing import Scope
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402

django_wsgi = get_wsgi_application()

from schoolsafe.events import stream as event_stream  # noqa: E402  (needs Django set up)

log = logging.getLogger("schoolsafe")

THREADS: int = settings.SCHOOLSAFE_REQUEST_THREADS
ALERT_THREADS: int = settings.SCHOOLSAFE_ALERT_THREADS


def _lane(threads: int, name: str) -> WSGIMiddleware:
    # Django's WSGI handler returns an HttpResponse or a StreamingHttpResponse, both iterables of bytes; its type
    # says HttpResponseBase, their common base, which is not.
    lane = WSGIMiddleware(django_wsgi, workers=threads)  # type: ignore[arg-type]  # a WSGI app, typed by its base
    # Our own pool in place of a2wsgi's (same size), so that its threads can be told to close their database
    # connections: each keeps one for CONN_MAX_AGE seconds.
    lane.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
    return lane


django_application = _lane(THREADS, "django")
alert_application = _lane(ALERT_THREADS, "django-alerts")

ALERT_API = "/api/v1/alerts"
ALERT_PAGES = "/alerts/"


def in_alert_lane(scope: dict[str, Any]) -> bool:
    """Whether a request belongs to the alert path: any request to the alert pages (the panic page, the
    console, an incident and its board), and every POST to the alerts API (raise, acknowledge, all clear,
    cancel, room status, messages). The API's reads (lists, CAP, ICS 214 exports) stay in the general pool."""
    path = scope["path"]
    if path.startswith(ALERT_PAGES):
        return True
    return scope["method"] == "POST" and (path == ALERT_API or path.startswith(ALERT_API + "/"))


def close_request_connections(timeout: float = 10.0) -> None:
    """Close the database connections the request threads of both lanes hold (lifespan shutdown; a test
    server's stop).

    A connection belongs to its thread, so each thread must close its own: one job per thread, held at a
    barrier until every thread of its pool has one (the pool starts threads it has not started yet)."""
    jobs = []
    for lane, threads in ((django_application, THREADS), (alert_application, ALERT_THREADS)):
        barrier = threading.Barrier(threads)

        def close(barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait(timeout)
            finally:
                connections.close_all()

        jobs += [lane.executor.submit(close) for _ in range(threads)]
    _done, waiting = wait(jobs, timeout + 1)
    if waiting:
        # A request still running past the timeout keeps its thread (and connection) until it ends.
        log.warning("%d request threads were busy; their database connections stay open", len(waiting))


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await event_stream.startup()
                # Everything loaded so far (Django, the URL map, the models) lives as long as the process:
                # freezing it keeps the collector's full passes from walking it. Without this, full
                # collections paused the loop 55-170 ms at 1,000-5,000 open streams, now and then in the
                # middle of a fan-out (the benchmark's worst rounds). Frozen, none was seen during a round;
                # those left come while thousands of streams connect (bench/alert_fanout.py).
                if not gc.get_freeze_count():  # once per process (a test process starts several servers)
                    gc.collect()
                    gc.freeze()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await event_stream.shutdown()
                await asyncio.to_thread(close_request_connections)
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http" and scope["path"] == event_stream.PATH and scope["method"] == "GET":
        # The event stream bypasses Django's request path (see events/stream.py for the measurements).
        await event_stream.event_stream(scope, receive, send)
        return
    # What the server sent, passed on as it is: a2wsgi types the ASGI scope as a TypedDict.
    asgi_scope = cast("Scope", scope)
    if scope["type"] == "http" and in_alert_lane(scope):
        await alert_application(asgi_scope, receive, send)
        return
    await django_application(asgi_scope, receive, send)
