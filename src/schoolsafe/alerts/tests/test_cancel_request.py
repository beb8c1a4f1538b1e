"""Cancel of a real lockdown: the raiser's cancel is only a request until police dispatch
has called back and confirmed it; CAP and the console say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from schoolsafe.alerts.models import Alert, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parents[4].parent / "shared" / "standards" / "cap" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"the OASIS CAP 1.2 schema is not at {XSD}")
    return etree.XMLSchema(etree.parse(str(XSD)))


def latest_cap(api, user, alert_id: int, schema):
    response = api(user).get(f"{ALERTS_URL}/{alert_id}/cap.xml")
    assert response.status_code == 200
    doc = etree.fromstring(response.content)
    assert schema.validate(doc), schema.error_log
    return doc


def text(doc, path: str) -> str | None:
    found = doc.find(path, NS)
    return found.text if found is not None else None


def test_a_raisers_cancel_of_a_real_lockdown_waits_for_dispatchs_call_back(api, world, teacher_a, principal_a,
                                                                          dispatcher, schema):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]

    requested = api(teacher_a).post(f"{ALERTS_URL}/{alert_id}/cancel")

    assert requested.status_code == 202, requested.content
    body = requested.json()
    assert body["status"] == "active" and body["cancel_requested_at"] is not None
    assert body["cancel_requested_by"]["id"] == teacher_a.pk
    # Still a lockdown for everyone, and still escalating: a cancel under duress must not stand anyone down.
    assert Alert.objects.get().status == "active"
    assert EscalationTimer.objects.get().state == "pending"
    assert not Event.objects.filter(kind="alert.cancelled").exists()
    assert Event.objects.filter(kind="alert.cancel_requested").count() == 1
    # Asking twice is not a second request.
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert_id}/cancel").status_code == 409

    doc = latest_cap(api, dispatcher, alert_id, schema)
    assert text(doc, "cap:msgType") == "Update"
    assert "Cancellation requested by Teacher A, not yet confirmed" in text(doc, "cap:note")
    assert text(doc, "cap:info/cap:instruction").startswith("Locks, lights, out of sight.")
    assert "No action is required" not in etree.tostring(doc).decode()

    # The console tells dispatch to call back.
    console = client_for(dispatcher).get("/alerts/dispatch/")
    shown = next(a for a in console.context["console_config"]["alerts"] if a["id"] == alert_id)
    assert shown["status"] == "active" and shown["cancel_requested_at"] is not None

    # Only police dispatch confirms, and says whom they reached.
    confirm = f"{ALERTS_URL}/{alert_id}/cancel/confirm"
    assert api(teacher_a).post(confirm, {"reached": "myself"}).status_code == 403
    assert api(principal_a).post(confirm, {"reached": "Teacher A"}).status_code == 403
    assert api(dispatcher).post(confirm, {}).status_code == 422
    confirmed = api(dispatcher).post(confirm, {"reached": "Teacher A on her cell, 555-0142, code word given"})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "cancelled"
    assert confirmed.json()["cancel_confirmation"] == "Teacher A on her cell, 555-0142, code word given"
    assert EscalationTimer.objects.get().state == "cancelled"
    entry = AuditEntry.objects.get(action="alerts.cancel_alert")
    assert entry.actor == dispatcher

    doc = latest_cap(api, dispatcher, alert_id, schema)
    assert text(doc, "cap:msgType") == "Cancel"
    assert "confirmed by police dispatch by call-back (reached: Teacher A on her cell" in text(doc, "cap:note")
    entries = api(dispatcher).get(f"{ALERTS_URL}/{alert_id}/timeline").json()["entries"]
    assert [e["kind"] for e in entries][-2:] == ["cancel_requested", "cancelled"]
    assert "reached: Teacher A on her cell" in entries[-1]["text"]


def test_dispatch_cancels_at_once_and_other_actions_and_drills_cancel_as_before(api, world, teacher_a, dispatcher,
                                                                               settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0
    lockdown_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    assert api(dispatcher).post(f"{ALERTS_URL}/{lockdown_id}/cancel").json()["status"] == "cancelled"
    secure_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="secure")).json()["id"]
    assert api(teacher_a).post(f"{ALERTS_URL}/{secure_id}/cancel").json()["status"] == "cancelled"
    drill_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True)).json()["id"]
    assert api(teacher_a).post(f"{ALERTS_URL}/{drill_id}/cancel").json()["status"] == "cancelled"
    # Nothing to confirm on an incident whose cancel was never requested.
    other = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    assert api(dispatcher).post(f"{ALERTS_URL}/{other}/cancel/confirm", {"reached": "x"}).status_code == 409
