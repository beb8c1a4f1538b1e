"""Django's SQLite backend with one change: the write transactions of one process take turns on a lock.

Why: with several request threads (asgi.py), a second writer's `BEGIN IMMEDIATE` meets SQLite's busy
handler, which sleeps in growing steps (1, 2, 5, ... up to 100 ms) before it tries again, so a writer
could sleep long after the lock was free. With 16 alert POSTs in flight, p99 was 798 ms and the slowest
1.8 s; waiting on a Python lock instead, the next writer starts the moment the previous one commits or
rolls back (figures in docs/alerts.md, Measuring). Writers in other processes (the worker) still meet
the busy handler, as before; so do single statements outside a transaction, which are short.

The lock is taken where Django begins an outermost transaction (`atomic`) and released when it commits,
rolls back or closes the connection. Waiting longer than the connection's `timeout` raises SQLite's own
"database is locked" error, as SQLite would have.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(name: Any) -> threading.Lock:
    """The lock of one database file, shared by every connection of this process."""
    with _locks_guard:
        return _locks.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holds_writer_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        lock = writer_lock(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError(f"database is locked (another transaction of this process held it {timeout:g} s)")
        self.holds_writer_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # a private method of Django's backend, not in its stubs
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> None:
        # Released only once the commit succeeded: after a failed one, Django rolls back (or closes).
        super()._commit()  # type: ignore[misc]  # private, not in Django's stubs
        self._release_writer_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # a private method of Django's backend, not in its stubs
        finally:
            self._release_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # a private method of Django's backend, not in its stubs
        finally:
            self._release_writer_lock()

    def _release_writer_lock(self) -> None:
        if self.holds_writer_lock:
            self.holds_writer_lock = False
            writer_lock(self.settings_dict["NAME"]).release()
