"""Failure test (b): a pending escalation timer fires after the worker restarts.

The real `schoolsafe worker` command runs as a separate process against the test database; it is killed
with SIGKILL before the timer is due (no chance to clean up), nothing runs while the timer falls due, and a
new worker process started afterwards fires it.
"""

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
from django.utils import timezone

from schoolsafe.alerts.models import Alert, EscalationPolicy, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event

TIMEOUT_SECONDS = 8
STARTED = "escalation timer scan started"


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
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "INFO", "SCHOOLSAFE_TRACEBACK": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "schoolsafe.cli", "worker"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
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
def test_a_pending_escalation_timer_fires_after_the_worker_restarts(api, world, teacher_a, tmp_path):
    EscalationPolicy.objects.create(agency=world.agency_a, ack_timeout_seconds=TIMEOUT_SECONDS)
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
    assert response.status_code == 201
    alert = Alert.objects.get(pk=response.json()["id"])
    timer = EscalationTimer.objects.get(alert=alert)

    first = start_worker(tmp_path / "worker-1.log")
    try:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = timezone.now()
    finally:
        stop(first)
    assert killed_at < timer.due_at, "the worker took too long to start; the test proves nothing"
    timer.refresh_from_db()
    assert timer.state == "pending"

    # Nothing runs while the timer falls due.
    time.sleep(max(0.0, (timer.due_at - timezone.now()).total_seconds()) + 0.5)
    timer.refresh_from_db()
    assert timer.state == "pending"

    second = start_worker(tmp_path / "worker-2.log")
    try:
        deadline = time.monotonic() + 30
        while EscalationTimer.objects.get(pk=timer.pk).fired_at is None:
            assert second.poll() is None, (tmp_path / "worker-2.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the timer did not fire after the restart"
            time.sleep(0.2)
    finally:
        stop(second)

    timer.refresh_from_db()
    assert timer.state == "fired"
    assert timer.claimed_by.endswith(f":{second.pid}")
    alert.refresh_from_db()
    assert alert.escalated_at == timer.fired_at
    assert Event.objects.filter(kind="alert.escalated", subject_id=str(alert.pk)).count() == 1
    assert AuditEntry.objects.filter(action="alerts.escalate_alert", object_id=str(alert.pk)).count() == 1
