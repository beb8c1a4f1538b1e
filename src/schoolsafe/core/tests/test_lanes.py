"""The alert path has its own request threads (asgi.py), on a real server."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from schoolsafe import asgi
from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.alerts.models import Alert
from schoolsafe.testing.servers import ThreadServer


@pytest.mark.parametrize(("method", "path", "alert_lane"), [
    ("POST", "/api/v1/alerts", True),
    ("POST", "/api/v1/alerts/12/acknowledge", True),
    ("POST", "/api/v1/alerts/12/all-clear", True),
    ("POST", "/api/v1/alerts/12/room-status", True),
    ("GET", "/alerts/", True),
    ("GET", "/alerts/dispatch/", True),
    ("GET", "/alerts/12/board/", True),
    ("GET", "/api/v1/alerts/12/ics214.pdf", False),
    ("POST", "/api/v1/tips", False),
    ("POST", "/accounts/login/", False),
    ("POST", "/api/v1/alertsx", False),
])
def test_25_1_requests_are_routed_by_path(method, path, alert_lane):
    assert asgi.in_alert_lane({"type": "http", "method": method, "path": path}) is alert_lane


@pytest.mark.django_db(transaction=True)
def test_25_1_an_alert_is_raised_and_acknowledged_while_every_general_thread_is_busy(world, teacher_a):
    """Every thread of the general pool is taken (as eight tips with attachments took them in the attack);
    a teacher still raises and acknowledges an alert at once, while a general request waits its turn."""
    _, token = do_create_api_token(teacher_a, teacher_a, "lane test")
    headers = {"Authorization": f"Bearer {token}"}
    release = threading.Event()
    with ThreadServer() as server, httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        busy = [asgi.django_application.executor.submit(release.wait, 30) for _ in range(asgi.THREADS)]
        try:
            started = time.perf_counter()
            raised = http.post("/api/v1/alerts", json={"school": world.school_a.pk, "action": "lockdown",
                                                       "tier": "emergency", "reason": "lane test"})
            assert raised.status_code == 201, raised.content
            acknowledged = http.post(f"/api/v1/alerts/{raised.json()['id']}/acknowledge")
            assert acknowledged.status_code == 200
            assert time.perf_counter() - started < 5
            with pytest.raises(httpx.ReadTimeout):
                http.get("/api/v1/me", timeout=1.0)  # the general pool: behind the busy threads
        finally:
            release.set()
            for job in busy:
                job.result(5)
        assert http.get("/api/v1/me").status_code == 200
    assert Alert.objects.filter(reason="lane test").count() == 1
