"""A whole incident played through the API, for the timeline, ICS 214 and CAP tests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import Alert, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.events.models import Event


@dataclass
class Incident:
    alert: Alert
    room_report: dict[str, Any]
    message: str


def raise_alert(api: Any, user: Any, school: Any, **overrides: Any) -> Alert:
    response = api(user).post(ALERTS_URL, lockdown(school, **overrides))
    assert response.status_code == 201, response.content
    return Alert.objects.get(pk=response.json()["id"])


def receive(api: Any, user: Any, alert: Alert) -> None:
    """The user's device confirms it received the alert's events (as the live pages do)."""
    ids = list(Event.objects.filter(subject_type="alerts.alert", subject_id=str(alert.pk)).values_list("id", flat=True))
    response = api(user).post("/api/v1/events/receipts", {"ids": ids})
    assert response.status_code == 200, response.content


def escalate(alert: Alert) -> None:
    """The worker fires the alert's escalation timer once it is due (use a short escalation policy)."""
    timer = EscalationTimer.objects.get(alert=alert)
    time.sleep(max(0.0, (timer.due_at - timezone.now()).total_seconds()) + 0.05)
    assert actions.do_fire_escalation_timer(timer.pk, "worker-test")


def play_incident(api: Any, world: Any, teacher: Any, dispatcher: Any, *, end: str = "all_clear",
                  **overrides: Any) -> Incident:
    """Raise a lockdown, deliver it, escalate, acknowledge, report a room, exchange a message, then end it
    (`end`: "all_clear", "cancel" or "" to leave it active)."""
    alert = raise_alert(api, teacher, world.school_a, **overrides)
    receive(api, teacher, alert)
    receive(api, dispatcher, alert)
    escalate(alert)
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200
    report = {"room": "C-12", "status": "missing", "present": 23, "missing": ["Ana Diaz"], "note": "Ana at the nurse"}
    assert api(teacher).post(f"{ALERTS_URL}/{alert.pk}/room-status", report).status_code == 201
    message = "Officers entering building C from the east door; keep doors locked."
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/messages", {"text": message}).status_code == 201
    if end == "all_clear":
        # SRP lockdown release: dispatch records the incident commander's all clear.
        given = api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"on_behalf_of": "Sgt. Lee, incident commander"})
        assert given.status_code == 200
    elif end == "cancel":
        assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200
    alert.refresh_from_db()
    return Incident(alert, report, message)
