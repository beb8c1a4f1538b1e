"""Background work for alerts, run by `schoolsafe worker`: firing due escalation timers, forgetting old
Idempotency-Keys.

Why a scan of the EscalationTimer rows and not one django-tasks task per timer deferred with `run_after`:
the timer row is then the only record of a pending escalation. Acknowledging, the all clear and a cancel
stop it with one conditional UPDATE of that row; with a deferred task there would be two rows to keep in
step (the timer and the task), and a task that failed once would be marked failed and never run again,
while a scan simply retries a timer whose firing rolled back. Raising an alert also writes one row fewer.
The scan is one indexed query (a partial index on pending timers) every half second, and like the task
queue it survives any restart because it reads rows. Several workers may scan at once: each firing claims
its timer with `UPDATE ... WHERE fired_at IS NULL AND cancelled_at IS NULL`, so a timer fires once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.utils import timezone

from schoolsafe.alerts.actions import do_fire_escalation_timer, do_prune_idempotency_keys
from schoolsafe.alerts.models import EscalationTimer
from schoolsafe.events.scanner import RowScanner

logger = logging.getLogger(__name__)

SCAN_INTERVAL_SECONDS = 0.5
IDEMPOTENCY_KEY_RETENTION = dt.timedelta(hours=48)
PRUNE_EVERY_SECONDS = 3600


def fire_due_timers(worker_id: str, limit: int = 100) -> int:
    """Fire every escalation timer that is due and still pending; returns how many this call fired."""
    now = timezone.now()
    due = list(
        EscalationTimer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    fired = 0
    for timer_id in due:
        try:
            fired += do_fire_escalation_timer(timer_id, worker_id)
        except Exception:
            # One timer that cannot fire (its transaction rolled back) must not stop the others; it stays
            # pending and the next scan tries it again.
            logger.exception("escalation timer %s did not fire; will retry", timer_id)
    return fired


class TimerScanner(RowScanner):
    """A thread of the worker process that fires due escalation timers every half second."""

    thread_name = "escalation-timers"
    description = "escalation timer scan"

    def __init__(self, worker_id: str | None = None, interval: float = SCAN_INTERVAL_SECONDS) -> None:
        super().__init__(interval, worker_id)
        self._last_prune = 0.0

    def scan(self) -> None:
        fired = fire_due_timers(self.worker_id)
        if fired:
            logger.warning("fired %d escalation timer(s)", fired)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            do_prune_idempotency_keys(IDEMPOTENCY_KEY_RETENTION)
            self._last_prune = time.monotonic()


def start_timer_scanner(worker_id: str | None = None) -> TimerScanner:
    """Start the escalation-timer scan in a daemon thread of the current process (the worker)."""
    scanner = TimerScanner(worker_id)
    scanner.start()
    return scanner
