"""Sending push messages: the kick right after the alert's commit, and the worker's runner for retries.

Rows first, like notification deliveries (notifications/tasks.py, whose backoff and attempt limit these share):
a PushMessage row is the record of what is due. Claiming is one conditional UPDATE for a batch, stamped with a
claim token (`... WHERE status IN ('pending', 'retrying') AND next_attempt_at <= now`), so of two workers, or a
worker and a kick, exactly one sends each message; a sender that died leaves a lease that runs out. The network
calls are made outside any transaction, in parallel (one alert may wake a thousand devices).

Outcomes (RFC 8030 §5, RFC 8292): 201/202 accepted; 404/410 the subscription is gone, so it is revoked and never
tried again; 400/403/413 permanent (a bad key or message: retrying cannot help); 429, 5xx and network errors are
retried after the backoff.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from pywebpush import WebPusher

from schoolsafe.events.scanner import RowScanner
from schoolsafe.notifications.addresses import AddressRefused, checked_addresses
from schoolsafe.notifications.tasks import backoff_seconds, default_worker_id, max_attempts
from schoolsafe.reach.models import PushMessage, PushStatus, PushSubscription
from schoolsafe.reach.vapid import subject, vapid

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
TIMEOUT = 5.0
# How long a push service keeps a message for a device that is off (RFC 8030 §5.2): an alert an hour old is
# still worth showing; the page then loads its current state.
TTL = 3600
BATCH = 500
SENDERS = 16
_local = threading.local()


@dataclass
class PushOutcome:
    ok: bool
    response_code: int | None
    error: str = ""
    gone: bool = False
    permanent: bool = False


def _session() -> requests.Session:
    # One keep-alive session per sending thread: a push service is one host for thousands of devices.
    if getattr(_local, "session", None) is None:
        _local.session = requests.Session()
        # A push service answers; it never sends us elsewhere (a redirect could point at a private address).
        _local.session.max_redirects = 0
    return _local.session


_vapid_cache: dict[str, tuple[dict[str, str], float]] = {}
_vapid_lock = threading.Lock()


def vapid_headers(endpoint: str) -> dict[str, str]:
    """The VAPID `Authorization` header for the endpoint's push service (RFC 8292 §2: `aud` is its origin), signed
    once per origin and reused until an hour before its 12-hour expiry: a thousand devices on one push service
    share one signature."""
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    now = time.time()
    with _vapid_lock:
        cached = _vapid_cache.get(origin)
        if cached is None or cached[1] - now < 3600:
            expires = int(now) + 12 * 3600
            headers = vapid().sign({"sub": subject(), "aud": origin, "exp": expires})
            cached = _vapid_cache[origin] = (dict(headers), float(expires))
    return dict(cached[0])


def push_once(message: PushMessage) -> PushOutcome:
    """Encrypt (RFC 8291, aes128gcm), sign (VAPID, RFC 8292) and post one message; never raises."""
    sub = message.subscription
    info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    try:
        # The endpoint comes from a browser: like a webhook, it may only reach public internet addresses, each
        # checked when sending (notifications/addresses.py; SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE for tests and
        # a push relay on a private network).
        parts = urlsplit(sub.endpoint)
        checked_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except AddressRefused as exc:
        return PushOutcome(False, None, str(exc)[:500], permanent=True)
    except Exception as exc:  # noqa: BLE001 - a name that does not resolve: retried
        return PushOutcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
    try:
        headers = {**vapid_headers(sub.endpoint), "Urgency": "high"}
        response = WebPusher(info, requests_session=_session()).send(
            json.dumps(message.payload, separators=(",", ":")), headers, ttl=TTL, content_encoding="aes128gcm",
            timeout=TIMEOUT)
        code = response.status_code
        if code <= 202:
            return PushOutcome(True, code)
        # The status line only: a response body is never kept or shown (docs/webhooks.md).
        error = f"the push service answered {code} {response.reason}"
        if code in (404, 410):
            return PushOutcome(False, code, error, gone=True, permanent=True)
        return PushOutcome(False, code, error, permanent=code in (400, 403, 413))
    except Exception as exc:  # noqa: BLE001 - a refused connection, a timeout, a bad key: recorded and retried
        return PushOutcome(False, None, f"{type(exc).__name__}: {exc}"[:500])


def _due_q(now: dt.datetime) -> Q:
    stale = Q(status=PushStatus.SENDING, lease_until__lt=now)
    return Q(status__in=[PushStatus.PENDING, PushStatus.RETRYING], next_attempt_at__lte=now) | stale


def claim(ids: Iterable[int], worker_id: str, now: dt.datetime) -> list[PushMessage]:
    """Take the due messages among `ids` for one attempt each; those another sender took are left out."""
    token = f"{worker_id[:60]}:{uuid.uuid4().hex[:16]}"
    with transaction.atomic():
        PushMessage.objects.filter(_due_q(now), pk__in=list(ids)).update(
            status=PushStatus.SENDING, claimed_by=token, lease_until=now + LEASE, attempts=F("attempts") + 1)
        taken = list(PushMessage.objects.filter(claimed_by=token, status=PushStatus.SENDING)
                     .select_related("subscription"))
    return taken


def finish(message: PushMessage, outcome: PushOutcome, now: dt.datetime) -> str:
    """Record one attempt: sent, gone (and the subscription revoked), retrying after the backoff, or failed."""
    if outcome.ok:
        changes = {"status": PushStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": ""}
    elif outcome.gone:
        changes = {"status": PushStatus.GONE, "next_attempt_at": None, "last_error": outcome.error}
    elif outcome.permanent or message.attempts >= max_attempts():
        changes = {"status": PushStatus.FAILED, "next_attempt_at": None, "last_error": outcome.error}
    else:
        changes = {"status": PushStatus.RETRYING, "last_error": outcome.error,
                   "next_attempt_at": now + dt.timedelta(seconds=backoff_seconds(message.attempts))}
    with transaction.atomic():
        # Only while this sender still holds the claim (its lease may have run out and another taken over).
        PushMessage.objects.filter(pk=message.pk, claimed_by=message.claimed_by, status=PushStatus.SENDING).update(
            response_code=outcome.response_code, lease_until=None, **changes)
        if outcome.ok:
            PushSubscription.objects.filter(pk=message.subscription_id).update(last_success_at=now)
        elif outcome.gone:
            # RFC 8030 §7.3: the push service no longer knows this subscription; pushing to it again is useless.
            PushSubscription.objects.filter(pk=message.subscription_id, revoked_at__isnull=True).update(
                revoked_at=now, revoked_reason=f"the push service answered {outcome.response_code}")
            PushMessage.objects.filter(subscription_id=message.subscription_id,
                                       status__in=[PushStatus.PENDING, PushStatus.RETRYING]).update(
                status=PushStatus.GONE, next_attempt_at=None, last_error="subscription revoked")
    return str(changes["status"])


def _push_in_thread(message: PushMessage) -> PushOutcome:
    try:
        return push_once(message)
    finally:
        connection.close()


def record_sent(messages: list[PushMessage], outcomes: list[PushOutcome], now: dt.datetime) -> None:
    """Record a batch's outcomes: the accepted ones in one transaction (a thousand devices must not cost a
    thousand SQLite write transactions, each waiting for the lock), the others one by one."""
    accepted = [(m, o) for m, o in zip(messages, outcomes, strict=True) if o.ok]
    with transaction.atomic():
        for code in {o.response_code for _m, o in accepted}:
            ids = [m.pk for m, o in accepted if o.response_code == code]
            # Only rows this sender still holds (a lease that ran out went to another sender).
            PushMessage.objects.filter(pk__in=ids, claimed_by=messages[0].claimed_by, status=PushStatus.SENDING).update(
                status=PushStatus.SENT, sent_at=now, next_attempt_at=None, last_error="", response_code=code,
                lease_until=None)
        PushSubscription.objects.filter(pk__in=[m.subscription_id for m, _o in accepted]).update(last_success_at=now)
    for message, outcome in zip(messages, outcomes, strict=True):
        if not outcome.ok:
            finish(message, outcome, now)


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="push-send")
        return _executor


def send_messages(ids: Iterable[int], now: dt.datetime | None = None, worker_id: str | None = None) -> int:
    """Claim the due messages among `ids`, send them in parallel and record the outcomes; returns how many."""
    taken = claim(ids, worker_id or default_worker_id(), now or timezone.now())
    if not taken:
        return 0
    outcomes = list(_pool().map(_push_in_thread, taken))
    record_sent(taken, outcomes, timezone.now())
    return len(taken)


def run_due_pushes(now: dt.datetime | None = None, worker_id: str | None = None) -> int:
    """Send every message due at `now` (first attempts the kick missed, retries, expired leases)."""
    now = now or timezone.now()
    ids = list(PushMessage.objects.filter(_due_q(now)).order_by("pk").values_list("pk", flat=True)[:BATCH])
    return send_messages(ids, now, worker_id) if ids else 0


def _kick_now(ids: list[int]) -> None:
    try:
        for start in range(0, len(ids), BATCH):
            send_messages(ids[start:start + BATCH])
    except Exception:
        logger.exception("push kick failed; the worker will retry")
    finally:
        connection.close()


_kicker: ThreadPoolExecutor | None = None


def kick(ids: list[int]) -> None:
    """Send these messages now, in this process, after the commit that created them (the worker retries)."""
    global _kicker
    if not ids or not getattr(settings, "SCHOOLSAFE_PUSH_KICK", True):
        return
    with _executor_lock:
        if _kicker is None:
            _kicker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-kick")
    _kicker.submit(_kick_now, list(ids))


class PushRunner(RowScanner):
    """A thread of the worker process that sends due push messages (and, see fallback.py, fires fallbacks)."""

    thread_name = "push-messages"
    description = "push scan"

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(interval)

    def scan(self) -> None:
        run_due_pushes(worker_id=self.worker_id)
        from schoolsafe.reach.fallback import run_due_fallbacks

        run_due_fallbacks()


def start_push_runner(interval: float = 1.0) -> PushRunner:
    runner = PushRunner(interval)
    runner.start()
    return runner
