"""Accounting for all persons: rooms count students and adults; a
threat location report goes to dispatch at top priority; an acknowledgement counts as received; students'
names only for those who run the response, each read audited, counts for everyone else."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


def report(api, user, alert, **body):
    return api(user).post(f"{ALERTS_URL}/{alert.pk}/room-status", body)


def test_rooms_count_students_and_adults(api, world, teacher_a, principal_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    saved = report(api, teacher_a, alert, room="C-12", status="ok", present=23, staff=2, visitors=1)
    assert saved.status_code == 201, saved.content
    assert (saved.json()["staff"], saved.json()["visitors"]) == (2, 1)
    assert report(api, principal_a, alert, room="Office", status="ok", present=0, staff=4).status_code == 201
    refused = report(api, teacher_a, alert, room="Gym", status="ok", staff=-1)
    assert refused.status_code == 422 and "staff" in refused.json()["detail"]

    board = api(principal_a).get(f"{ALERTS_URL}/{alert.pk}/room-status").json()

    counts = board["counts"]
    assert [counts[k] for k in ("present", "staff", "visitors", "adults")] == [23, 6, 1, 7]
    timeline = [e["text"] for e in api(teacher_a).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]]
    assert "Room C-12: all accounted for (23 present, 2 staff, 1 visitors)" in timeline
    # The page's form asks for them.
    page = client_for(teacher_a).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'name="staff"' in page and 'name="visitors"' in page


@pytest.mark.django_db(transaction=True)
def test_a_threat_location_reaches_dispatchs_event_stream_at_top_priority(api, world, teacher_a, dispatcher):
    from schoolsafe.events.tests.conftest import bearer
    from schoolsafe.events.tests.sse import SSEClient
    from schoolsafe.testing.servers import ThreadServer

    alert = raise_alert(api, teacher_a, world.school_a)
    raised = Event.objects.get(kind="alert.raised")
    server = ThreadServer().start()
    try:
        console = SSEClient(server.port, path=f"/api/v1/events?last_event_id={raised.pk}", headers=bearer(dispatcher))
        sent = api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/threat-location",
                                   {"location": "near the gym", "note": "shots heard"})
        assert sent.status_code == 201, sent.content
        heard = console.next_event()
    finally:
        server.stop()

    assert heard.event == "alert.threat_location"
    data = heard.json()
    assert (data["alert"], data["location"], data["note"], data["priority"]) == (alert.pk, "near the gym",
                                                                                 "shots heard", "top")
    assert data["reported_by"]["id"] == teacher_a.pk
    event = Event.objects.get(kind="alert.threat_location")
    assert f"agency:{world.agency_a.pk}:dispatcher" in event.audience
    entries = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]
    assert any(e["kind"] == "threat_location" and e["text"] == "Threat location reported: near the gym. shots heard"
               for e in entries)
    assert AuditEntry.objects.filter(action="alerts.report_threat_location").count() == 1
    state = client_for(dispatcher).get(f"/alerts/{alert.pk}/state.json").json()
    assert state["threat_locations"][0]["location"] == "near the gym"


def test_a_threat_location_needs_a_place_and_an_active_alert(api, world, teacher_a, teacher_b, sro_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    path = f"{ALERTS_URL}/{alert.pk}/threat-location"
    assert api(None).post(path, {"location": "gym"}).status_code == 401
    assert api(teacher_b).post(path, {"location": "gym"}).status_code == 404
    empty = api(teacher_a).post(path, {"location": "  "})
    assert empty.status_code == 422 and "location" in empty.json()["detail"]
    assert api(sro_a).post(f"{ALERTS_URL}/{alert.pk}/all-clear").status_code == 200
    late = api(teacher_a).post(path, {"location": "gym"})
    assert late.status_code == 409


def test_an_acknowledgement_counts_as_received(api, world, teacher_a, principal_a, sro_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    # The SRO acknowledged from a phone that sent no delivery receipt.
    assert api(sro_a).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200

    delivery = api(principal_a).get(f"{ALERTS_URL}/{alert.pk}/delivery").json()

    [sro] = [r for r in delivery["recipients"] if r["user"]["id"] == sro_a.pk]
    assert sro["received_at"] == sro["acknowledged_at"] and sro["received_by"] == "acknowledgement"
    assert delivery["counts"]["received"] == 1 and delivery["counts"]["acknowledged"] == 1
    assert delivery["counts"]["not_received"] == delivery["counts"]["intended"] - 1


# --- missing students' names ------------------------------------------------------------


def test_25_15_missing_students_names_only_for_those_who_run_the_response_and_every_read_audited(api, world, teacher_a,
                                                                                           principal_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert report(api, teacher_a, alert, room="C-12", status="missing", present=22,
                  missing=["Ana Diaz"]).status_code == 201
    names_reads = AuditEntry.objects.filter(action="alerts.read_alert")

    # A teacher (any viewer) sees counts, everywhere, and no audit row is needed.
    teacher_board = api(teacher_a).get(f"{ALERTS_URL}/{alert.pk}/room-status").json()
    [room] = teacher_board["rooms"]
    assert (room["missing"], room["missing_count"], room["names_withheld"]) == ([], 1, True)
    teacher_state = client_for(teacher_a).get(f"/alerts/{alert.pk}/state.json").content.decode()
    teacher_timeline = api(teacher_a).get(f"{ALERTS_URL}/{alert.pk}/timeline").content.decode()
    event = Event.objects.get(kind="alert.room_status")
    for seen in (teacher_state, teacher_timeline, str(event.data)):
        assert "Ana Diaz" not in seen
    assert event.data["missing_count"] == 1
    assert names_reads.count() == 0

    # Those who may export the ICS 214 log (which names them, audited) see the names, each read audited.
    board = api(principal_a).get(f"{ALERTS_URL}/{alert.pk}/room-status").json()
    assert board["rooms"][0]["missing"] == ["Ana Diaz"]
    assert "Ana Diaz" in client_for(dispatcher).get(f"/alerts/{alert.pk}/state.json").content.decode()
    assert "Ana Diaz" in api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/timeline").content.decode()
    reads = list(names_reads.order_by("id").values_list("actor_id", "summary"))
    assert [(actor, summary["read"], summary["where"]) for actor, summary in reads] == [
        (principal_a.pk, "student_names", "api.room_status"), (dispatcher.pk, "student_names", "page.state"),
        (dispatcher.pk, "student_names", "api.timeline")]
