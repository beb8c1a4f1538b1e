"""The hub: one per process (per event loop), waking every open stream from ONE shared wake-up.

Measured (docs/events.md): a Django streaming view fed by a queue per connection took 13.8 s to
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
import logging
import signal
import threading
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from schoolsafe.events.dbthreads import (  # noqa: F401 - newest_event_id, visible_events_after: re-exported
    DatabaseThreads,
    events_after,
    listener_params,
    newest_event_id,
    visible_events_after,
)
from schoolsafe.events.locked import locked_view
from schoolsafe.events.subscriber import (  # noqa: F401 - direct_writer: re-exported
    RecentEvent,
    Subscriber,
    direct_writer,
    encode,
)

log = logging.getLogger("schoolsafe.events")

BATCH = 500
# Recent events kept (as encoded bytes) so a client that reconnects after a short gap is replayed
# from memory: after a restart or a network blip thousands reconnect at once, and each would
# otherwise cost a query.
RECENT = 512
RECENT_BYTES = 8 * 1024 * 1024


def poll_seconds() -> float:
    default = 5.0 if connection.vendor == "postgresql" else 1.0
    return float(getattr(settings, "SCHOOLSAFE_EVENTS_POLL", 0) or default)


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
            params = await self.db.run(listener_params)
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
                rows = await self.db.run(events_after, self.last_id, BATCH)
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
