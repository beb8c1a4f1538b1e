"""The real `schoolsafe worker` sends deliveries and their retries, and a delivery pending when the worker
is killed (SIGKILL, no clean-up) is sent by the next worker: the schedule is rows, not memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from schoolsafe.notifications.actions import do_create_channel, do_notify
from schoolsafe.notifications.models import Delivery, DeliveryStatus
from schoolsafe.testing.servers import HTTPReceiver

STARTED = "notification delivery runner started"


def database_url() -> str:
    """A DATABASE_URL for the database this test runs on (the test database, not the configured one)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "INFO", "SCHOOLSAFE_TRACEBACK": "1",
           "SCHOOLSAFE_NOTIFY_BACKOFF": "3", "SCHOOLSAFE_NOTIFY_POLL": "0.2",
           "SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE": "1"}  # the receiver listens on 127.0.0.1
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "schoolsafe.cli", "worker"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while STARTED not in log.read_text(errors="replace"):
        assert proc.poll() is None, f"worker exited: {log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"worker did not start: {log.read_text(errors='replace')}"
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.django_db(transaction=True)
def test_a_retry_pending_when_the_worker_is_killed_is_sent_by_the_next_worker(world, tmp_path):
    with HTTPReceiver(script=[500, 200]) as receiver:
        do_create_channel("admin", world.school_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                          url=receiver.url)
        [delivery] = do_notify(organizations=[world.school_a], event_kind="alert.raised", subject="LOCKDOWN",
                               text="Locks, lights, out of sight.", payload={})
        first = start_worker(tmp_path / "worker-1.log")
        try:
            [failed] = receiver.wait_for(1, timeout=30)
            deadline = time.monotonic() + 10
            while Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING:
                assert time.monotonic() < deadline, "the worker did not record the failed attempt"
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        assert failed.answered == 500
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)

        second = start_worker(tmp_path / "worker-2.log")
        try:
            requests = receiver.wait_for(2, timeout=30)
        finally:
            stop(second)
    assert [r.answered for r in requests] == [500, 200]
    assert requests[1].at - requests[0].at >= 3, "the retry waited for its backoff"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len({a.worker for a in delivery.attempt_log.all()}) == 2, "each attempt by a different worker process"
