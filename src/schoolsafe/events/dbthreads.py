"""The hub's database work, off the event loop: a few long-lived ORM threads and the reads they make.

Split from bus.py (the hub); bus.py re-exports the names callers use.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection, connections

from schoolsafe.events.subscriber import encode


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
            outcome: tuple[Any, BaseException | None]
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


def events_after(after: int, limit: int) -> list[tuple[int, str, Any, list[str]]]:
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


def listener_params() -> dict[str, Any]:
    params = dict(connections["default"].get_connection_params())
    # Django's sync cursor class and adapters do not belong on an async connection.
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params

