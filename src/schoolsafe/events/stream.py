"""GET /api/v1/events: the Server-Sent Events stream, a small raw ASGI application beside Django.

Not a Django view on purpose: Django's StreamingHttpResponse with a queue per connection measured
13.8 s p99 at 5,000 subscribers on this kind of machine, against 0.3 s for a raw ASGI endpoint
(docs/events.md). Django is still what decides who may see what: the caller is authenticated
once per connection (bearer token or session, by the accounts app's rules) and its audience keys are
computed once; after that, delivery is set arithmetic on the hub (bus.py).

A stream: `retry:` and a comment, then every event the caller missed after `Last-Event-ID` (header)
or `?last_event_id=` in id order, then live events, with a `: hb` comment at least every 30 s.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.db import DatabaseError
from django.http.cookie import parse_cookie

from schoolsafe.events.bus import BATCH, Hub, Subscriber, get_hub, visible_events_after

# The receive-only terminal's cookie (schoolsafe.accounts.terminals.COOKIE; not imported: the stream module
# is loaded before Django's apps).
TERMINAL_COOKIE = "schoolsafe_terminal"

log = logging.getLogger("schoolsafe.events")

PATH = "/api/v1/events"
# The client waits this long before reconnecting after a stream ends (the SSE `retry:` field).
RETRY_MS = 2000
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    # nginx and similar proxies buffer responses unless told not to; a buffered alert is a late alert.
    (b"x-accel-buffering", b"no"),
]


Access = tuple[frozenset[str], bool, float | None]


def authenticate(authorization: str, session_key: str, terminal_secret: str = "") -> Access | None:
    """The caller's audience keys, whether its session is locked (alert headlines only) and how long it
    may stay open before it must authenticate again; None for no valid caller. Runs in a thread.

    A bearer token, else the session cookie (with the receive-only terminal cookie, which exempts a
    dispatch console from the idle lock). A locked session still gets alert headlines: delivery never
    depends on an active session (docs/alerts.md).
    """
    from schoolsafe.accounts.sessions import stream_access
    from schoolsafe.accounts.tokens import user_for_token
    from schoolsafe.events.audience import keys_for_user

    if authorization:
        # A request that presents a token is judged by the token alone, never by a cookie beside it.
        scheme, _, raw = authorization.partition(" ")
        user = user_for_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
        keys = keys_for_user(user) if user is not None else frozenset()
        return (keys, False, None) if keys else None
    access = stream_access(session_key, terminal_secret) if session_key else None
    if access is None:
        return None
    keys = keys_for_user(access.user)
    return (keys, access.locked, access.open_for) if keys else None


def _header(scope: dict[str, Any], name: bytes) -> str:
    values = [value.decode("latin-1") for key, value in scope["headers"] if key.lower() == name]
    return "; ".join(values) if name == b"cookie" else (values[0] if values else "")


def last_event_id(scope: dict[str, Any]) -> int | None:
    """The id the client saw last (header first, then the query), or None; ValueError names a bad one."""
    header = _header(scope, b"last-event-id").strip()
    if header:
        return _event_id("Last-Event-ID", header)
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "last_event_id" in query:
        return _event_id("last_event_id", query["last_event_id"][-1].strip())
    return None


def _event_id(field: str, value: str) -> int:
    if not value.isdigit() or len(value) > 19:
        raise ValueError(f"{field}: must be an event id (a whole number), not {value[:40]!r}")
    return int(value)


async def _problem(send: Any, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def event_stream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI application for GET /api/v1/events."""
    try:
        after = last_event_id(scope)
    except ValueError as exc:
        await _problem(send, 400, str(exc))
        return
    hub = get_hub()
    try:
        await hub.start()
        assert hub.stream_db is not None
        cookies = parse_cookie(_header(scope, b"cookie"))
        access = await hub.stream_db.run(authenticate, _header(scope, b"authorization"),
                                         cookies.get(settings.SESSION_COOKIE_NAME, ""), cookies.get(TERMINAL_COOKIE, ""))
    except DatabaseError:
        log.warning("events: stream refused, database unavailable", exc_info=True)
        await _problem(send, 503, "the event stream is unavailable; try again shortly", [(b"retry-after", b"5")])
        return
    if access is None:
        await _problem(send, 401, "authentication required", [(b"www-authenticate", b'Bearer realm="schoolsafe"')])
        return

    keys, locked, open_for = access
    subscriber = hub.subscribe(keys, after, asyncio.current_task(), send, locked=locked, open_for=open_for)
    try:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        if hub.closing:
            # Shutting down: tell the client to come back (to another instance) shortly.
            await send({"type": "http.response.body", "body": b"retry: 1000\n\n", "more_body": False})
            return
        await send({"type": "http.response.body", "body": f"retry: {RETRY_MS}\n: connected\n\n".encode(),
                    "more_body": True})
        if subscriber.replay_from is not None:
            await _replay_from_database(hub, subscriber, send)
        subscriber.go_live()
        # From here the hub writes; this task only waits for the end. It must hear `http.disconnect` at
        # once: a stream that never notices its client left keeps its memory and its place on the hub,
        # and holds up a graceful shutdown. `receive` also returns when the hub ends the response.
        while (await receive())["type"] != "http.disconnect":
            pass
        subscriber.close("disconnect")
    except asyncio.CancelledError:
        if subscriber.reason == "behind":
            # Cancelled by the hub after its client stopped reading; returning lets the server close it.
            return
        raise
    finally:
        hub.unsubscribe(subscriber)


async def _replay_from_database(hub: Hub, subscriber: Subscriber, send: Any) -> None:
    assert hub.stream_db is not None
    while not subscriber.closed:
        rows = await hub.stream_db.run(visible_events_after, subscriber.keys, subscriber.cursor, BATCH,
                                       subscriber.locked)
        if rows:
            await send({"type": "http.response.body", "body": b"".join(p for _, p in rows), "more_body": True})
            subscriber.cursor = rows[-1][0]
        if len(rows) < BATCH:
            return


async def startup() -> None:
    """Lifespan startup: start this instance's hub now rather than on the first stream."""
    try:
        await get_hub().start()
    except Exception:  # noqa: BLE001 - e.g. not migrated yet; the first stream tries again
        log.warning("events: hub not started at startup; will start with the first stream", exc_info=True)


async def shutdown() -> None:
    """Lifespan shutdown: end open streams and close the hub's connections."""
    await get_hub().stop()
