"""One base for the worker's loops: a thread that scans rows that are due, every `interval` seconds.

Each loop (escalation timers in alerts/tasks.py, notification deliveries in notifications/tasks.py, push
messages in reach/tasks.py) keeps its work as rows and claims each row with a conditional UPDATE, so two
workers never do the same job and a worker that died leaves nothing behind but a lease that runs out. What
they share is here: the loop, the stop and join that `schoolsafe worker` calls on SIGTERM, a fresh database
connection when the old one went away, and a failed scan logged and retried rather than ending the thread.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


def default_worker_id() -> str:
    """This process's name in claims and logs: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class RowScanner(threading.Thread):
    """A daemon thread that calls `scan()` every `interval` seconds until `stop()`.

    Subclasses set `thread_name` and `description` and implement `scan()`; a scan that raises (a lost
    database connection, a locked SQLite file) is logged and the next one runs: the rows wait.
    """

    thread_name = "row-scanner"
    description = "row scan"

    def __init__(self, interval: float, worker_id: str | None = None) -> None:
        super().__init__(name=self.thread_name, daemon=True)
        self.worker_id = worker_id or default_worker_id()
        self.interval = interval
        self.stopping = threading.Event()

    def scan(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        logger.info("%s started (worker %s, every %.1f s)", self.description, self.worker_id, self.interval)
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    self.scan()
                except Exception:
                    logger.exception("%s failed; retrying", self.description)
                self.stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop after the scan in progress (join the thread to wait for it)."""
        self.stopping.set()
