"""Heavy work that must never slow the alert path: a few threads at low CPU priority.

Decoding a large picture or computing an Argon2 hash takes a core (Argon2 with Django's costs, every
core: it hashes its lanes in threads of its own) for a tenth of a second to seconds. Run in the request
threads, forty sign-ins or eight tips with pictures kept both cores of the machine busy and an alert
waited seconds for a core. Here such work runs in a small pool whose threads have a
lowest normal priority (nice 19 on Linux, where the priority is per thread and the threads a library starts
inherit it): the pool bounds how much runs at once, and whenever the alert path needs a core the
scheduler gives it first. The caller's request thread waits for the result.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

log = logging.getLogger("schoolsafe")
T = TypeVar("T")
NICE = 19


class Busy(Exception):
    """The pool did not start the work within the time the caller would wait."""


def _lower_priority() -> None:
    if sys.platform.startswith("linux"):
        try:
            # On Linux PRIO_PROCESS with a thread id sets that thread's nice value alone.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except OSError:  # pragma: no cover - a container that forbids it: the pool still bounds the work
            log.warning("could not lower the priority of a %s thread", threading.current_thread().name)


class LowPriorityPool:
    """`workers` threads at nice 19; `run(fn, ...)` runs fn there and returns its result (or raises)."""

    def __init__(self, workers: int, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name,
                                           initializer=_lower_priority)

    def run(self, fn: Callable[..., T], *args: Any, wait: float | None = None) -> T:
        """fn(*args) in the pool. With `wait`, Busy when the work has not started after that many seconds."""
        started = threading.Event()

        def job() -> T:
            started.set()
            return fn(*args)

        future = self.executor.submit(job)
        if wait is not None and not started.wait(wait) and future.cancel():
            raise Busy()
        try:
            return future.result()
        except FutureTimeout:  # pragma: no cover - no timeout is given to result()
            raise Busy() from None
