"""One open event stream and what it is sent: the SSE frame of an event, written straight to the connection.

Split from bus.py (the hub that fans events out to these); bus.py re-exports the names callers use.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

from django.conf import settings

log = logging.getLogger("schoolsafe.events")

# A subscriber that has this many events waiting (its client reads too slowly) is closed; its client
# reconnects with its last id and is replayed. Pending entries are references to bytes shared by
# all subscribers, so the bound is on count.
PENDING_LIMIT = 1000
# How long a closed-for-slowness stream may stay stuck in a write before its task is cancelled.
STUCK_GRACE = 30.0


def heartbeat_seconds() -> float:
    return float(getattr(settings, "SCHOOLSAFE_EVENTS_HEARTBEAT", 15))


def max_age_seconds() -> float:
    return float(getattr(settings, "SCHOOLSAFE_EVENTS_MAX_AGE", 600))


def pending_limit() -> int:
    return int(getattr(settings, "SCHOOLSAFE_EVENTS_PENDING_LIMIT", PENDING_LIMIT))


def encode(event_id: int, kind: str, data: Any) -> bytes:
    """An event's SSE frame. json.dumps escapes newlines inside strings, so `data:` stays one line."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"id: {event_id}\nevent: {kind}\ndata: {body}\n\n".encode()



class Subscriber:
    """One open stream: its audience keys, the last id it was sent, and events waiting to be written.

    Once live, events are written by the hub itself, straight through the connection's ASGI `send`,
    not by waking a task per connection: `send` only suspends when the transport is paused (a client
    reading slowly), so it is run eagerly (what Python 3.12's eager tasks do) and only a write that
    does suspend gets a task of its own. Measured at 5,000 streams: with a task woken per stream (and a
    heartbeat timer re-armed per event) the server spent about 200 ms of CPU per alert; written eagerly,
    75-90 ms. That cost is what stands between the alert and its last recipient.
    """

    __slots__ = ("keys", "cursor", "pending", "closed", "reason", "task", "replay_from", "loop", "send", "live",
                 "inflight", "interval", "last_write", "timer", "limit", "expiry", "direct", "locked", "__weakref__")

    def __init__(self, keys: frozenset[str], cursor: int, task: asyncio.Task | None, send: Any,
                 locked: bool = False, open_for: float | None = None) -> None:
        self.keys = keys
        # A locked session's stream: alert headlines only (locked.py), offered by the hub from its own index.
        self.locked = locked
        self.cursor = cursor
        self.pending: list[tuple[int, bytes]] = []
        self.closed = False
        self.reason = ""
        self.task = task  # the connection's own task (the ASGI app call)
        # Set when the gap is older than the hub's memory: the stream replays it from the database.
        self.replay_from: int | None = None
        self.loop = asyncio.get_running_loop()
        self.send = send
        # False while the connection's task is still writing (headers, replay): events wait in `pending`.
        self.live = False
        # The task finishing a write that suspended; while set, events wait in `pending`.
        self.inflight: asyncio.Task | None = None
        # uvicorn's response behind `send`, once live, when events can be written to its transport directly.
        self.direct: Any = None
        self.limit = pending_limit()
        # Jitter, fixed per stream: streams opened together (after a restart) should not all beat at once.
        self.interval = heartbeat_seconds() * random.uniform(0.85, 1.0)  # noqa: S311 - not a secret
        self.last_write = self.loop.time()
        # One timer per stream, re-armed when it fires rather than per event: a fan-out to thousands of
        # streams should not also create and cancel thousands of timers.
        self.timer: asyncio.TimerHandle | None = self.loop.call_at(self.last_write + self.interval, self._heartbeat)
        # A stream is authenticated once, when it opens; ending it after a while (the client reconnects at
        # once with its last id) makes a revoked token, a locked or ended session, or a changed membership
        # take effect within that while.
        age = max_age_seconds() * random.uniform(0.8, 1.0)  # noqa: S311 - not a secret
        if open_for is not None:
            # The session locks in `open_for` seconds: end the stream then, so that it comes back as what the
            # session is by then (locked: headlines only; used meanwhile: everything) rather than keep
            # sending a locked screen everything for up to max_age.
            age = min(age, open_for + 1.0)
        self.expiry: asyncio.TimerHandle | None = self.loop.call_at(self.last_write + age, self.close, "expired")

    # called by the hub, on the loop

    def offer(self, event_id: int, payload: bytes, message: dict[str, Any], chunk: bytes, now: float) -> None:
        """A new event for this stream. `message` is the ASGI body message for `payload` and `chunk` the same
        bytes as one HTTP/1.1 chunk, both built once per event and shared by every stream."""
        if self.closed or event_id <= self.cursor:
            return
        if self.live and self.inflight is None:
            self.cursor = event_id
            direct = self.direct
            if direct is not None and not direct.flow.write_paused and not direct.disconnected:
                direct.transport.write(chunk)
                self.last_write = now
                return
            self._send(message)
            return
        if len(self.pending) >= self.limit:
            self.close("behind")
            return
        self.pending.append((event_id, payload))

    def go_live(self) -> None:
        """The connection's task is done writing (headers, replay): from now on the hub writes."""
        self.live = True
        self.direct = direct_writer(self.send)
        if self.closed:
            self._finish_response()
        else:
            self._flush()

    def close(self, reason: str) -> None:
        """End this stream: "disconnect" (the client left), "shutdown", "behind" (too slow), "expired"
        (reauthenticate), "error", "ended"."""
        if self.closed:
            return
        self.closed, self.reason = True, reason
        self.pending.clear()
        for handle in (self.timer, self.expiry):
            if handle is not None:
                handle.cancel()
        self.timer = self.expiry = None
        if self.live and self.inflight is None:
            self._finish_response()
        if reason == "behind" and self.inflight is not None:
            # Its write is blocked on a client that stopped reading; give it a grace period.
            self.loop.call_later(STUCK_GRACE, self._cancel_if_stuck)

    # internals

    def _finish_response(self) -> None:
        # A clean end (the final chunk) tells the client to reconnect with its last id, soon (`retry:`);
        # it also ends the connection task's wait on `receive`. A client that left needs nothing more.
        if self.reason not in ("disconnect", "ended"):
            self._write(b"retry: 500\n\n", more_body=False)

    def _flush(self) -> None:
        parts = []
        cursor = self.cursor
        for event_id, payload in self.pending:
            if event_id > cursor:
                parts.append(payload)
                cursor = event_id
        self.pending.clear()
        self.cursor = cursor
        if parts:
            self._write(b"".join(parts))

    def _write(self, body: bytes, more_body: bool = True) -> None:
        self._send({"type": "http.response.body", "body": body, "more_body": more_body})

    def _send(self, message: dict[str, Any]) -> None:
        coroutine = self.send(message)
        try:
            yielded = coroutine.send(None)
        except StopIteration:
            self.last_write = self.loop.time()
            return
        except Exception:  # noqa: BLE001 - the connection is gone or broken: end this stream
            log.debug("events: write failed", exc_info=True)
            self.close("error")
            return
        self.inflight = self.loop.create_task(self._complete(coroutine, yielded))

    async def _complete(self, coroutine: Any, yielded: Any) -> None:
        # The rest of a write that suspended, stepped as a Task would step it: wait for what it waits for,
        # then resume it (it reads the awaited result itself).
        try:
            while True:
                if yielded is None:
                    await asyncio.sleep(0)
                else:
                    yielded._asyncio_future_blocking = False
                    await asyncio.wait([yielded])
                try:
                    yielded = coroutine.send(None)
                except StopIteration:
                    break
        except asyncio.CancelledError:
            coroutine.close()
            raise
        except Exception:  # noqa: BLE001
            log.debug("events: write failed", exc_info=True)
            self.inflight = None
            self.close("error")
            return
        self.inflight = None
        self.last_write = self.loop.time()
        if self.closed:
            self._finish_response()
        else:
            self._flush()

    def _heartbeat(self) -> None:
        self.timer = None
        if self.closed:
            return
        due = self.last_write + self.interval
        if self.loop.time() >= due - 0.05:
            if self.live and self.inflight is None:
                self._write(b": hb\n\n")
            due = self.loop.time() + self.interval
        if not self.closed:
            self.timer = self.loop.call_at(due, self._heartbeat)

    def _cancel_if_stuck(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()


def direct_writer(send: Any) -> Any:
    """uvicorn's response object behind `send`, when live events can be written straight to its transport.

    Why: a fan-out is one write per stream, and going through the ASGI `send` coroutine cost about 6 us
    more per stream than the write itself (at 1,000 streams 13.7 ms against the floor's 7.6 ms; at 5,000,
    58 ms against 37 ms; bench/alert_fanout.py). For a body chunk of a started, chunked response that is
    neither paused (a slow reader) nor disconnected, uvicorn's `send` does exactly this write; in every
    other case, and with any other server or HTTP implementation, events still go through `send`.
    Relies on uvicorn's httptools protocol (pinned in pyproject.toml); tests/test_stream.py checks that
    `schoolsafe serve`'s streams take this path, so an upgrade that changes it fails a test rather than
    slowing delivery unnoticed.
    """
    # uvicorn's protocol object (its internals are untyped), or None for any other server's `send`.
    cycle: Any = getattr(send, "__self__", None)
    if type(cycle).__module__ != "uvicorn.protocols.http.httptools_impl":
        return None
    try:
        usable = (cycle.response_started and cycle.chunked_encoding is True and not cycle.response_complete
                  and cycle.flow is not None and cycle.transport is not None)
    except AttributeError:
        return None
    return cycle if usable else None


class RecentEvent:
    __slots__ = ("id", "audience", "payload", "locked_payload")

    def __init__(self, event_id: int, audience: frozenset[str], payload: bytes,
                 locked_payload: bytes | None = None) -> None:
        self.id, self.audience, self.payload = event_id, audience, payload
        # The headline sent to locked sessions, or None when locked sessions do not get this kind.
        self.locked_payload = locked_payload

