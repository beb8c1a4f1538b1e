"""Sending deliveries in the background: `run_due_deliveries()` for any worker loop, the delivery runner
thread that `schoolsafe worker` starts, and the kick that makes the first attempt right after a commit.

Why rows scanned by a thread, like the escalation timers (alerts/tasks.py), and not one django-tasks task
per attempt: the Delivery row is the only record of what is due (status, next_attempt_at); a retry is one
UPDATE of it, not a new task row to keep in step with it, and a worker that restarts finds every pending
or retrying delivery where it left it. A delivery whose worker died while sending (status "sending")
becomes claimable again when its lease runs out.

Claiming is one conditional UPDATE (`... WHERE status IN ('pending', 'retrying') AND next_attempt_at <= now`,
then the row count), so of two workers, or a worker and a kick, exactly one sends. The network call is
made outside any transaction: on SQLite a transaction held across a slow receiver would block every
writer, alerts included.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from schoolsafe.events.scanner import RowScanner, default_worker_id
from schoolsafe.notifications.models import TEST_EVENT, Delivery, DeliveryAttempt, DeliveryStatus
from schoolsafe.notifications.senders import Outcome, send

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF = (10.0, 30.0, 90.0, 300.0, 900.0, 1800.0)
DEFAULT_MAX_ATTEMPTS = 7
# Longer than any one attempt can take (a 5 s timeout on each step of an SMTP or HTTP exchange), so a live
# worker keeps its claim; short enough that a delivery whose worker died is retried within a minute.
LEASE = dt.timedelta(seconds=60)
POLL_SECONDS = 1.0


def backoff_seconds(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt (10 s, 30 s, 90 s, 5 min, 15 min, 30 min...)."""
    steps = tuple(getattr(settings, "SCHOOLSAFE_NOTIFY_BACKOFF", DEFAULT_BACKOFF)) or DEFAULT_BACKOFF
    return float(steps[min(max(attempts, 1), len(steps)) - 1])


def max_attempts() -> int:
    return int(getattr(settings, "SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_schedule() -> str:
    """The waits between attempts in words, e.g. "10 s, 30 s, 90 s, 5 min, 15 min and 30 min"."""
    def words(seconds: float) -> str:
        if seconds >= 60 and seconds % 60 == 0:
            return f"{int(seconds // 60)} min"
        return f"{seconds:g} s"

    waits = [words(backoff_seconds(n)) for n in range(1, max_attempts())]
    if not waits:
        return "never"
    return waits[0] if len(waits) == 1 else f"{', '.join(waits[:-1])} and {waits[-1]}"


def _due_q(now: dt.datetime) -> Q:
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now)


def claim_delivery(delivery_id: int, worker_id: str, now: dt.datetime) -> Delivery | None:
    """Take a due delivery for one attempt; None when it is not due or another worker took it first."""
    claim = {"status": DeliveryStatus.SENDING, "claimed_by": worker_id[:64], "lease_until": now + LEASE,
             "attempts": F("attempts") + 1, "updated_at": now}
    with transaction.atomic():
        taken = Delivery.objects.filter(_due_q(now), pk=delivery_id).update(**claim)
        crashed = None
        if not taken:
            # A worker that died mid-send left the lease to run out: take the delivery over (conditional on
            # the dead worker's claim, so of two workers noticing it, one takes it).
            stale = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, lease_until__lt=now)
            crashed = stale.values_list("claimed_by", "lease_until").first()
            if crashed is not None:
                taken = stale.filter(claimed_by=crashed[0]).update(**claim)
        if not taken:
            return None
        delivery = Delivery.objects.select_related("notification", "channel").get(pk=delivery_id)
        if crashed is not None:
            lease_until = crashed[1]
            assert lease_until is not None  # the row was found by lease_until__lt=now
            DeliveryAttempt.objects.create(
                delivery=delivery, number=delivery.attempts - 1, started_at=lease_until - LEASE, finished_at=now,
                ok=False, error="the worker stopped during this attempt (its lease ran out); the outcome is unknown",
                worker=crashed[0],
            )
    return delivery


def _refusal(delivery: Delivery) -> str:
    """Why this delivery must not be sent any more, or ""."""
    channel = delivery.channel
    if channel.removed_at is not None:
        return "the channel was removed before this delivery was sent"
    if not channel.enabled and delivery.notification.event_kind != TEST_EVENT:
        return "the channel was disabled before this delivery was sent"
    return ""


def finish_delivery(delivery: Delivery, outcome: Outcome, worker_id: str, started: dt.datetime,
                    duration: float) -> str:
    """Record the attempt and move the delivery on: delivered, retrying after the backoff, or failed."""
    finished = started + dt.timedelta(seconds=duration)
    number = delivery.attempts
    if outcome.ok:
        changes = {"status": DeliveryStatus.DELIVERED, "delivered_at": finished, "next_attempt_at": None,
                   "last_error": ""}
    elif outcome.permanent or number >= max_attempts():
        changes = {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": outcome.error}
    else:
        changes = {"status": DeliveryStatus.RETRYING, "last_error": outcome.error,
                   "next_attempt_at": finished + dt.timedelta(seconds=backoff_seconds(number))}
    changes.update(response_code=outcome.response_code, lease_until=None, updated_at=finished)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, started_at=started, finished_at=finished,
            duration_ms=round(duration * 1000), ok=outcome.ok, response_code=outcome.response_code,
            error=outcome.error, worker=worker_id[:64],
        )
        # Only while this worker still holds the claim: if its lease ran out and another took over, the
        # other's outcome decides (this attempt is still in the log).
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=worker_id[:64],
                                attempts=number).update(**changes)
    return str(changes["status"])


def attempt_delivery(delivery_id: int, now: dt.datetime | None = None, worker_id: str | None = None) -> bool:
    """Claim one delivery if due and make one attempt at it; returns whether this call attempted it."""
    worker_id = worker_id or default_worker_id()
    started = now or timezone.now()
    delivery = claim_delivery(delivery_id, worker_id, started)
    if delivery is None:
        return False
    refusal = _refusal(delivery)
    clock = time.perf_counter()
    outcome = Outcome(False, None, refusal, permanent=True) if refusal else send(
        delivery, delivery.notification, delivery.channel)
    status = finish_delivery(delivery, outcome, worker_id, started, time.perf_counter() - clock)
    if status == DeliveryStatus.FAILED:
        logger.warning("delivery %s through channel %s failed for good: %s", delivery.pk, delivery.channel_id,
                       outcome.error)
    return True


def due_delivery_ids(now: dt.datetime, limit: int = 100) -> list[int]:
    """Deliveries due at `now` (and those whose worker's lease ran out), oldest first."""
    stale = Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    return list(Delivery.objects.filter(_due_q(now) | stale).order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit])


def run_due_deliveries(now: dt.datetime | None = None, limit: int = 100, worker_id: str | None = None,
                       stopping: threading.Event | None = None) -> int:
    """Attempt every delivery that is due at `now` (default: the current time); returns how many this call
    attempted. Safe to call from any number of workers at once. Returns early once `stopping` is set."""
    worker_id = worker_id or default_worker_id()
    attempted = 0
    for delivery_id in due_delivery_ids(now or timezone.now(), limit):
        if stopping is not None and stopping.is_set():
            break
        try:
            attempted += attempt_delivery(delivery_id, now, worker_id)
        except Exception:
            # One delivery that cannot be recorded (a lost connection) must not stop the others; its lease
            # runs out and a later scan takes it over.
            logger.exception("delivery %s: attempt not recorded; will retry", delivery_id)
    return attempted


# --- The worker's runner thread -----------------------------------------------------------------------


class DeliveryRunner(RowScanner):
    """A thread of the worker process that sends due deliveries (and the worker's mail) every second."""

    thread_name = "notification-deliveries"
    description = "notification delivery runner"

    def __init__(self, worker_id: str | None = None, interval: float | None = None) -> None:
        super().__init__(interval if interval is not None else float(
            getattr(settings, "SCHOOLSAFE_NOTIFY_POLL", POLL_SECONDS)), worker_id)

    def scan(self) -> None:
        run_due_deliveries(worker_id=self.worker_id, stopping=self.stopping)
        # The worker's own e-mail to people (threat-assessment cases, reminders): its retries.
        from schoolsafe.notifications.mail import send_due_mail

        send_due_mail(worker_id=self.worker_id)


def start_delivery_runner(worker_id: str | None = None, interval: float | None = None) -> DeliveryRunner:
    """Start sending due deliveries in a daemon thread of the current process (the worker)."""
    runner = DeliveryRunner(worker_id, interval)
    runner.start()
    return runner


# --- The kick after a commit --------------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="notify-kick")
        return _pool


def _attempt_now(delivery_id: int) -> None:
    try:
        attempt_delivery(delivery_id)
    except Exception:
        logger.exception("delivery %s: first attempt failed to run; the worker will retry", delivery_id)
    finally:
        # Pool threads outlive the job: give the connection back rather than hold one per thread.
        connection.close()


def kick(delivery_ids: Iterable[int]) -> None:
    """Make the first attempt at these deliveries now, in this process, instead of at the worker's next
    scan. Called after the commit that created them; the worker's claim rule keeps it to one send."""
    if not getattr(settings, "SCHOOLSAFE_NOTIFY_KICK", True):
        return
    pool = _executor()
    for delivery_id in delivery_ids:
        pool.submit(_attempt_now, delivery_id)
