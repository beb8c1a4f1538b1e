"""The hub: one per process (per event loop), waking every open stream from ONE shared wake-up.

Measured (DESIGN.md, Real-time): a Django streaming view fed by a queue per connection took 13.8 s to
reach the last of 5,000 subscribers, where a bare broadcaster took 0.23 s. So each instance has exactly
one listener (the in-process signal on SQLite, a PostgreSQL LISTEN connection on PostgreSQL) and, when
woken, reads the new events with ONE query, encodes each event's SSE bytes ONCE and hands the same bytes
to every subscriber whose audience keys meet the event's. A poll of `max(id)` every few seconds is the
safety net: a lost wake-up delays an event, never drops it. Nothing another instance needs lives here:
the events are rows; this is only a cache of recent bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import random
import signal
import threading
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections

from schoolsafe.events.locked import locked_view

log = logging.getLogger("schoolsafe.events")

BATCH = 500
# Recent events kept (as encoded bytes) so a client that reconnects after a short gap is replayed
# from memory: after a restart or a network blip thousands reconnect at once, and each would
# otherwise cost a query.
RECENT = 512
RECENT_BYTES = 8 * 1024 * 1024
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


def poll_seconds() -> float:
    default = 5.0 if connection.vendor == "postgresql" else 1.0
    return float(getattr(settings, "SCHOOLSAFE_EVENTS_POLL", 0) or default)


def encode(event_id: int, kind: str, data: Any) -> bytes:
    """An event's SSE frame. json.dumps escapes newlines inside strings, so `data:` stays one line."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"id: {event_id}\nevent: {kind}\ndata: {body}\n\n".encode()


# --- database work, off the event loop ------------------------------------------------------------


class DatabaseThreads:
    """A few long-lived threads for the ORM (each keeps its own connection, closed by `stop`)."""

    def __init__(self, count: int, name: str) -> None:
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                connections.close_all()
                return
            loop, future, fn, args = job
            try:
                outcome = (_call_with_retry(fn, args), None)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                outcome = (None, exc)
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
                loop.call_soon_threadsafe(_settle, future, *outcome)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.jobs.put((loop, future, fn, args))
        return await future

    def stop(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)


def _settle(future: asyncio.Future, result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _call_with_retry(fn: Callable[..., Any], args: tuple) -> Any:
    # These threads keep their connection; after a database restart it is dead, so drop it and try
    # once more on a fresh one (every job here is a read or an idempotent write).
    try:
        return fn(*args)
    except (InterfaceError, OperationalError):
        connection.close()
        return fn(*args)


def newest_event_id() -> int:
    """The id of the newest event in the table (0 when there is none)."""
    from schoolsafe.events.models import Event

    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _events_after(after: int, limit: int) -> list[tuple[int, str, Any, list[str]]]:
    from schoolsafe.events.models import Event

    return list(Event.objects.filter(id__gt=after).order_by("id").values_list("id", "kind", "data", "audience")[:limit])


def visible_events_after(keys: frozenset[str], after: int, limit: int, locked: bool = False) -> list[tuple[int, bytes]]:
    """Encoded events after `after` that `keys` may see (a replay from the database); for a `locked` session
    only the kinds locked screens get, as their headlines (locked.py)."""
    from schoolsafe.events.locked import locked_kinds, locked_view
    from schoolsafe.events.models import Event

    events = Event.objects.filter(id__gt=after).visible_to(keys)
    if locked:
        events = events.filter(kind__in=locked_kinds())
    rows = events.order_by("id").values_list("id", "kind", "data")[:limit]
    if locked:
        return [(event_id, encode(event_id, kind, locked_view(kind, data))) for event_id, kind, data in rows]
    return [(event_id, encode(event_id, kind, data)) for event_id, kind, data in rows]


def _listener_params() -> dict[str, Any]:
    params = dict(connections["default"].get_connection_params())
    # Django's sync cursor class and adapters do not belong on an async connection.
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params


# --- subscribers ------------------------------------------------------------------------------------


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
    cycle = getattr(send, "__self__", None)
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


# --- the hub ----------------------------------------------------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def get_hub() -> Hub:
    """This event loop's hub (created on first use)."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        hub = _hubs.get(loop)
        if hub is None:
            hub = _hubs[loop] = Hub(loop)
    return hub


def publish_local(event_id: int, kind: str, data: Any, audience: list[str]) -> None:
    """After a commit, from the committing thread: hand the committed event to this process's hubs.

    A hub delivers it as it is when it is the very next event (ids follow commit order, see emit.py);
    otherwise it reads what it has not seen from the table. Reading back every event cost the hub's thread
    about 1 ms of CPU per event, while the request that wrote it was still finishing.
    """
    with _hubs_lock:
        hubs = list(_hubs.items())
    for loop, hub in hubs:
        with contextlib.suppress(RuntimeError):  # that loop has closed
            loop.call_soon_threadsafe(hub.committed, event_id, kind, data, audience)


class Hub:
    """Fans out new events to this instance's open streams."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.last_id = 0
        self.subscribers: set[Subscriber] = set()
        self.by_key: dict[str, set[Subscriber]] = defaultdict(set)
        # Locked sessions' streams, apart: an event that locked screens do not get costs them nothing.
        self.by_key_locked: dict[str, set[Subscriber]] = defaultdict(set)
        self.recent: deque[RecentEvent] = deque()
        # Every event with recent_floor < id <= last_id is in `recent`.
        self.recent_floor = 0
        self.recent_bytes = 0
        self.closing = False
        self.db: DatabaseThreads | None = None
        self.stream_db: DatabaseThreads | None = None
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._starting: asyncio.Task | None = None
        self.started = False
        self._reading = False  # a catch_up is reading the table

    # lifecycle

    async def start(self) -> None:
        """Start once (lifespan startup or the first stream); raises if the database cannot be read."""
        if self.started:
            return
        failed = self._starting is not None and self._starting.done() and (
            self._starting.cancelled() or self._starting.exception() is not None)
        if self._starting is None or failed:
            self._starting = self.loop.create_task(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        if self.db is None:
            # Separate threads: a burst of stream authentications must not delay the fan-out query.
            self.db = DatabaseThreads(1, "events-hub")
            self.stream_db = DatabaseThreads(4, "events-stream")
        self.last_id = self.recent_floor = await self.db.run(newest_event_id)
        postgres = await self.db.run(lambda: connection.vendor == "postgresql")
        self._tasks.append(self.loop.create_task(self._deliver_forever(), name="events-deliver"))
        self._tasks.append(self.loop.create_task(self._poll_forever(), name="events-poll"))
        if postgres:
            params = await self.db.run(_listener_params)
            self._tasks.append(self.loop.create_task(self._listen_forever(params), name="events-listen"))
        self._chain_exit_signals()
        self.started = True

    async def stop(self) -> None:
        """Lifespan shutdown: end every stream, stop listening, close the database connections."""
        self.close_all("shutdown")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):  # stopping anyway
                await task
        self._tasks.clear()
        for threads in (self.db, self.stream_db):
            if threads is not None:
                threads.stop()
        self.db = self.stream_db = None
        self.started = False
        self._starting = None
        with _hubs_lock:
            if _hubs.get(self.loop) is self:
                del _hubs[self.loop]

    def _chain_exit_signals(self) -> None:
        # uvicorn tells an open response nothing when it shuts down: it waits timeout_graceful_shutdown
        # and then cancels it (with an error in the log). Ending the streams on the signal lets the
        # shutdown finish at once; clients reconnect (to another instance) and resume from their last id.
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if not callable(previous) or getattr(previous, "_schoolsafe_events", False):
                continue

            def handler(signum: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
                self.loop.call_soon_threadsafe(self.begin_shutdown)
                previous(signum, frame)

            handler._schoolsafe_events = True  # type: ignore[attr-defined]
            signal.signal(sig, handler)

    def begin_shutdown(self) -> None:
        self.closing = True
        self.close_all("shutdown")

    def close_all(self, reason: str) -> None:
        for subscriber in list(self.subscribers):
            subscriber.close(reason)

    # subscribers

    def subscribe(self, keys: frozenset[str], last_event_id: int | None, task: asyncio.Task | None,
                  send: Any, locked: bool = False, open_for: float | None = None) -> Subscriber:
        """Register a stream. Synchronous on the loop, so no event can fall between its replay and live
        delivery: everything up to last_id is replayed (from memory, or from the database when older
        than the hub's memory), everything after arrives live; the cursor drops duplicates.
        `locked`: a locked session's stream (headlines only); `open_for`: seconds until its session locks."""
        if last_event_id is None:
            subscriber = Subscriber(keys, self.last_id, task, send, locked, open_for)
        else:
            subscriber = Subscriber(keys, last_event_id, task, send, locked, open_for)
            if last_event_id >= self.recent_floor:
                for recent in self.recent:
                    if recent.id > last_event_id and not keys.isdisjoint(recent.audience):
                        payload = recent.locked_payload if locked else recent.payload
                        if payload is not None:
                            subscriber.pending.append((recent.id, payload))
            else:
                subscriber.replay_from = last_event_id
        self.subscribers.add(subscriber)
        index = self.by_key_locked if locked else self.by_key
        for key in keys:
            index[key].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscriber.close("ended")  # no-op when already closed; stops its heartbeat timer
        self.subscribers.discard(subscriber)
        index = self.by_key_locked if subscriber.locked else self.by_key
        for key in subscriber.keys:
            group = index.get(key)
            if group is not None:
                group.discard(subscriber)
                if not group:
                    del index[key]

    # delivery

    def wake(self) -> None:
        self._wakeup.set()

    def committed(self, event_id: int, kind: str, data: Any, audience: list[str]) -> None:
        """An event this process has just committed (publish_local): delivered at once when it is the next
        one after last_id, else read from the table with whatever came before it."""
        if self.started and not self._reading and event_id == self.last_id + 1:
            try:
                self._deliver(event_id, kind, data, audience)
            except Exception:
                log.exception("events: could not deliver event %s", event_id)
            self.last_id = event_id
        elif event_id > self.last_id:
            self.wake()

    async def _deliver_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                await self.catch_up()
            except DatabaseError:
                # The poll wakes us again; a database outage delays delivery, it loses nothing.
                log.warning("events: could not read new events; retrying", exc_info=True)
                await asyncio.sleep(0.5)
            except Exception:
                # Whatever it was, this task must survive it: it is the only one delivering.
                log.exception("events: delivery failed; retrying")
                await asyncio.sleep(0.5)
                self.wake()

    async def catch_up(self) -> None:
        """Read every event after last_id (one query per BATCH) and hand it to its subscribers."""
        assert self.db is not None
        while True:
            self._reading = True
            try:
                rows = await self.db.run(_events_after, self.last_id, BATCH)
            finally:
                self._reading = False
            for event_id, kind, data, audience in rows:
                try:
                    self._deliver(event_id, kind, data, audience)
                except Exception:
                    # One event that cannot be sent must not stop the ones after it; it stays in the
                    # table (and is replayed to anyone who asks for it by id).
                    log.exception("events: could not deliver event %s", event_id)
                self.last_id = event_id
            if len(rows) < BATCH:
                return

    def _deliver(self, event_id: int, kind: str, data: Any, audience: Iterable[str]) -> None:
        payload = encode(event_id, kind, data)
        message = {"type": "http.response.body", "body": payload, "more_body": True}
        chunk = b"%x\r\n%b\r\n" % (len(payload), payload)
        now = self.loop.time()
        keys = frozenset(audience)
        by_key = self.by_key
        groups = [by_key[key] for key in keys if key in by_key]
        targets = groups[0] if len(groups) == 1 else set().union(*groups)
        for subscriber in targets:
            subscriber.offer(event_id, payload, message, chunk, now)
        locked_payload = self._deliver_locked(event_id, kind, data, keys, now)
        self.recent.append(RecentEvent(event_id, keys, payload, locked_payload))
        self.recent_bytes += len(payload)
        while len(self.recent) > RECENT or self.recent_bytes > RECENT_BYTES:
            dropped = self.recent.popleft()
            self.recent_bytes -= len(dropped.payload)
            self.recent_floor = dropped.id

    def _deliver_locked(self, event_id: int, kind: str, data: Any, keys: frozenset[str], now: float) -> bytes | None:
        """Offer the event's headline to locked sessions' streams; returns it (None: not for locked screens)."""
        view = locked_view(kind, data)
        if view is None:
            return None
        payload = encode(event_id, kind, view)
        groups = [self.by_key_locked[key] for key in keys if key in self.by_key_locked]
        if groups:
            message = {"type": "http.response.body", "body": payload, "more_body": True}
            chunk = b"%x\r\n%b\r\n" % (len(payload), payload)
            for subscriber in set().union(*groups):
                subscriber.offer(event_id, payload, message, chunk, now)
        return payload

    async def _poll_forever(self) -> None:
        assert self.db is not None
        interval = poll_seconds()
        while True:
            await asyncio.sleep(interval)
            before = self.last_id
            try:
                newest = await self.db.run(newest_event_id)
            except DatabaseError:
                log.warning("events: poll failed", exc_info=True)
                continue
            self.polled(newest, before)

    def polled(self, newest: int, before: int) -> None:
        """The poll's answer: `newest` id in the table, read by a query issued when last_id was `before`."""
        if newest > self.last_id:
            self.wake()
        elif newest < before:
            # The table went backwards (restored, or its sequence reset): follow it, or new events would
            # wait behind ids that will never come again. Compared with last_id as it was when the query
            # was issued: an event committed and handed over meanwhile (publish_local) is newer than the
            # query's snapshot, not a sign that the table went backwards.
            log.warning("events: newest event id %s is below the last delivered %s; following it", newest, before)
            self.last_id = self.recent_floor = newest
            self.recent.clear()
            self.recent_bytes = 0

    async def _listen_forever(self, params: dict[str, Any]) -> None:
        import psycopg

        from schoolsafe.events.emit import CHANNEL

        backoff = 0.5
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    # Anything committed while we were not listening.
                    self.wake()
                    backoff = 0.5
                    async for notify in conn.notifies():
                        # The payload is the event's id: one this instance committed itself has usually
                        # been delivered already (publish_local).
                        if not notify.payload.isdigit() or int(notify.payload) > self.last_id:
                            self.wake()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - reconnect whatever broke; the poll covers the gap
                log.warning("events: LISTEN connection lost; reconnecting in %.1f s", backoff, exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
