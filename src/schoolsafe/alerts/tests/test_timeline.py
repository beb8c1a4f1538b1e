"""The incident timeline: everything that happened, in order, for the API, the pages and the exports."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import play_incident, raise_alert
from schoolsafe.alerts.timeline import timeline_for

pytestmark = pytest.mark.django_db


def url(alert_id: int) -> str:
    return f"{ALERTS_URL}/{alert_id}/timeline"


def test_the_timeline_tells_the_incident_in_order(api, world, teacher_a, dispatcher, quick_escalation):
    incident = play_incident(api, world, teacher_a, dispatcher)

    response = api(teacher_a).get(url(incident.alert.pk))

    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [e["kind"] for e in entries] == [
        "raised", "delivered", "escalated", "acknowledged", "room_status", "message", "all_clear",
    ]
    raised, delivered, escalated, acknowledged, room, message, all_clear = entries
    assert raised["actor"] == "Teacher A"
    assert raised["text"].startswith("Lockdown raised at building C, room C-12, east stairwell: intruder in building C.")
    assert "Locks, lights, out of sight." in raised["text"]
    assert delivered["actor"] is None
    assert delivered["text"].startswith("Delivered to 2 of ")
    assert escalated["actor"] is None
    assert escalated["text"] == "Escalated to the police supervisor: dispatch had not acknowledged within 1 s"
    assert acknowledged == {**acknowledged, "actor": "Dispatcher A", "text": "Acknowledged by dispatch"}
    assert room["actor"] == "Teacher A"
    # A teacher reads counts, not the missing student's name (names are for those who run the response: docs/security.md).
    assert room["text"] == "Room C-12: missing students (23 present); 1 missing. Note: Ana at the nurse"
    assert message["actor"] == "Dispatcher A" and message["text"] == incident.message
    assert all_clear["actor"] == "Dispatcher A"
    assert all_clear["text"] == ("All clear given on behalf of the incident commander, Sgt. Lee, incident commander. "
                                 "Stay locked until an officer or administrator releases your room in person.")
    times = [e["at"] for e in entries]
    assert times == sorted(times)
    # The API and every export read the one function.
    assert [e.as_json() for e in timeline_for(incident.alert)] == entries


def test_a_cancelled_alert_ends_with_the_cancel(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a, action="secure")
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200
    entries = api(dispatcher).get(url(alert.pk)).json()["entries"]
    assert [(e["kind"], e["actor"]) for e in entries] == [("raised", "Teacher A"), ("cancelled", "Teacher A")]


def test_an_alert_nobody_has_received_yet_has_no_delivery_entry(api, world, teacher_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert [e.kind for e in timeline_for(alert)] == ["raised"]


def test_anonymous_and_outsiders_are_refused(api, world, teacher_a, teacher_b, dispatcher_b):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(None).get(url(alert.pk)).status_code == 401
    assert api(teacher_b).get(url(alert.pk)).status_code == 404
    assert api(dispatcher_b).get(url(alert.pk)).status_code == 404
    assert api(teacher_a).get(url(alert.pk + 1000)).status_code == 404
