"""Room status (accounting for all persons): reports, the board and its not-reported rooms, who may report."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.models import RoomStatus
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db


def raise_as(api, user, school, **overrides):
    response = api(user).post(ALERTS_URL, lockdown(school, **overrides))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def url(alert_id: int) -> str:
    return f"{ALERTS_URL}/{alert_id}/room-status"


REPORT = {"room": "C-12", "status": "missing", "present": 23, "injured": 0, "missing": ["Ana Diaz"],
          "extra": [], "note": "Ana was at the nurse's office"}


@pytest.fixture
def rooms(world, teacher_a, principal_a):
    """School A's staff profiles name three rooms (one twice, with other spacing and case)."""
    teacher_a.room = "C-12"
    teacher_a.save()
    principal_a.room = "Main office"
    principal_a.save()
    other = make_person("teacher_c", "staff", world.school_a, "school")
    other.room = " c-12 "
    other.save()
    gym = make_person("coach_a", "staff", world.school_a, "school")
    gym.room = "Gym"
    gym.save()
    # A teacher of school B and a counselor without a room add nothing to school A's list.
    elsewhere = make_person("teacher_b2", "staff", world.school_b, "school")
    elsewhere.room = "B-1"
    elsewhere.save()
    make_person("counselor_a", "staff", world.school_a, "school")
    return ["C-12", "Gym", "Main office"]


def test_a_teacher_reports_their_room_and_everyone_in_the_audience_is_told(api, world, teacher_a, dispatcher):
    alert_id = raise_as(api, teacher_a, world.school_a)

    response = api(teacher_a).post(url(alert_id), REPORT)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["room"] == "C-12" and body["status"] == "missing"
    assert body["present"] == 23 and body["injured"] == 0
    assert body["missing"] == ["Ana Diaz"] and body["extra"] == []
    assert body["note"] == "Ana was at the nurse's office"
    assert body["reported_by"] == {"id": teacher_a.pk, "name": "Teacher A"}
    report = RoomStatus.objects.get()
    assert report.alert_id == alert_id and report.reported_by == teacher_a
    event = Event.objects.get(kind="alert.room_status")
    raised = Event.objects.get(kind="alert.raised")
    assert event.audience == raised.audience
    assert f"agency:{world.agency_a.pk}:dispatcher" in event.audience
    assert event.data["room"] == "C-12" and event.data["alert"] == alert_id
    audit = AuditEntry.objects.get(action="alerts.report_room_status")
    assert audit.actor_id == teacher_a.pk
    # The audit row counts the missing; it does not copy their names.
    assert "Ana" not in str(audit.summary)


def test_the_board_shows_the_latest_report_per_room_and_the_rooms_not_heard_from(api, world, teacher_a, rooms,
                                                                                  dispatcher):
    alert_id = raise_as(api, teacher_a, world.school_a)
    teacher = api(teacher_a)
    assert teacher.post(url(alert_id), REPORT).status_code == 201
    # Ana turns up: the room reports again (different spelling of the room), now all accounted for.
    assert teacher.post(url(alert_id), {"room": "c-12", "status": "ok", "present": 24}).status_code == 201
    # A group outside the building reports too: a room no profile names.
    assert teacher.post(url(alert_id), {"room": "Band, football field", "status": "extra", "present": 31,
                                        "extra": ["Sam Lee", "Kim Park"]}).status_code == 201

    board = api(dispatcher).get(url(alert_id))

    assert board.status_code == 200
    body = board.json()
    assert [(r["room"], r["status"]) for r in body["rooms"]] == [("Band, football field", "extra"), ("c-12", "ok")]
    assert body["not_reported"] == ["Gym", "Main office"]
    counts = body["counts"]
    assert counts["rooms"] == 4 and counts["reported"] == 2 and counts["not_reported"] == 2
    assert counts["by_status"] == {"ok": 1, "need_help": 0, "injured": 0, "missing": 0, "extra": 1}
    assert counts["present"] == 55 and counts["missing"] == 0 and counts["extra"] == 2
    # Earlier reports are kept (for the timeline), only the latest counts on the board.
    assert RoomStatus.objects.count() == 3


def test_an_injured_report_counts_people(api, world, teacher_a, principal_a):
    alert_id = raise_as(api, teacher_a, world.school_a)
    response = api(principal_a).post(url(alert_id), {"room": "Main office", "status": "injured", "injured": 2,
                                                     "present": 4, "note": "cut hands, glass"})
    assert response.status_code == 201
    counts = api(principal_a).get(url(alert_id)).json()["counts"]
    assert counts["injured"] == 2 and counts["by_status"]["injured"] == 1


# --- anonymous, without permission -----------------------------------------------------------------------


def test_anonymous_callers_are_refused(api, world, teacher_a):
    alert_id = raise_as(api, teacher_a, world.school_a)
    anonymous = api(None)
    assert anonymous.post(url(alert_id), REPORT).status_code == 401
    assert anonymous.get(url(alert_id)).status_code == 401
    assert not RoomStatus.objects.exists()


def test_another_schools_staff_neither_see_nor_report(api, world, teacher_a, teacher_b, teacher_a2):
    alert_id = raise_as(api, teacher_a, world.school_a)
    for outsider in (teacher_b, teacher_a2):
        assert api(outsider).post(url(alert_id), REPORT).status_code == 404
        response = api(outsider).get(url(alert_id))
        assert response.status_code == 404
        assert response.json()["detail"] == "Not found."
    assert not RoomStatus.objects.exists()
    assert not Event.objects.filter(kind="alert.room_status").exists()


def test_dispatch_sees_the_board_but_reports_no_room(api, world, teacher_a, dispatcher):
    alert_id = raise_as(api, teacher_a, world.school_a)
    response = api(dispatcher).post(url(alert_id), REPORT)
    assert response.status_code == 403
    assert api(dispatcher).get(url(alert_id)).status_code == 200
    assert not RoomStatus.objects.exists()


def test_the_sro_reports_a_room(api, world, teacher_a, sro_a):
    alert_id = raise_as(api, teacher_a, world.school_a)
    assert api(sro_a).post(url(alert_id), {"room": "Cafeteria", "status": "need_help"}).status_code == 201


def test_no_report_after_the_all_clear(api, world, teacher_a, dispatcher):
    alert_id = raise_as(api, teacher_a, world.school_a)
    given = api(dispatcher).post(f"{ALERTS_URL}/{alert_id}/all-clear", {"on_behalf_of": "Sgt. Lee, incident commander"})
    assert given.status_code == 200
    response = api(teacher_a).post(url(alert_id), REPORT)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("status:")
    assert not RoomStatus.objects.exists()


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({**REPORT, "status": "fine"}, "status"),
    ({k: v for k, v in REPORT.items() if k != "room"}, "room"),
    ({**REPORT, "room": "   "}, "room"),
    ({**REPORT, "room": "x" * 61}, "room"),
    ({k: v for k, v in REPORT.items() if k != "status"}, "status"),
    ({**REPORT, "present": -1}, "present"),
    ({**REPORT, "present": "24"}, "present"),
    ({**REPORT, "injured": 10**9}, "injured"),
    ({**REPORT, "missing": "Ana Diaz"}, "missing"),
    ({**REPORT, "missing": [""]}, "missing"),
    ({**REPORT, "extra": ["x" * 151]}, "extra"),
    ({**REPORT, "note": "x" * 2001}, "note"),
    ({**REPORT, "students": 3}, "students"),
    ({**REPORT, "missing": []}, "missing"),
    ({"room": "C-12", "status": "extra"}, "extra"),
    ({"room": "C-12", "status": "injured"}, "injured"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(api, world, teacher_a, body, field):
    alert_id = raise_as(api, teacher_a, world.school_a)
    response = api(teacher_a).post(url(alert_id), body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(f"{field}"), response.json()
    assert not RoomStatus.objects.exists()
    assert not Event.objects.filter(kind="alert.room_status").exists()
    assert not AuditEntry.objects.filter(action="alerts.report_room_status").exists()


def test_a_body_that_is_not_json_is_refused(api, world, teacher_a):
    alert_id = raise_as(api, teacher_a, world.school_a)
    response = api(teacher_a).post(url(alert_id), raw="room=C-12")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("body:")
    assert not RoomStatus.objects.exists()


# --- a report racing the all clear ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_report_racing_the_all_clear_waits_for_it_and_is_refused(api, world, teacher_a):
    """PostgreSQL: while the all clear's transaction holds the alert, a room report waits, then sees it
    ended; it is never stored after the all clear."""
    import threading
    import time

    from django.db import connection, connections, transaction
    from django.utils import timezone

    from schoolsafe.alerts import actions
    from schoolsafe.alerts.models import Alert

    if connection.vendor != "postgresql":
        pytest.skip("row locks matter on PostgreSQL; SQLite admits one writer at a time")
    alert = Alert.objects.get(pk=raise_as(api, teacher_a, world.school_a))
    locked, outcome = threading.Event(), {}

    def all_clear() -> None:
        try:
            with transaction.atomic():
                Alert.objects.filter(pk=alert.pk).update(status="all_clear", all_clear_at=timezone.now())
                locked.set()
                time.sleep(0.5)
        finally:
            connections.close_all()

    def report() -> None:
        started = time.monotonic()
        try:
            actions.do_report_room_status(teacher_a, alert, room="C-12", status="ok")
            outcome["result"] = "stored"
        except actions.AlertStateError as exc:
            outcome["result"] = str(exc)
        finally:
            outcome["waited"] = time.monotonic() - started
            connections.close_all()

    first = threading.Thread(target=all_clear)
    first.start()
    assert locked.wait(5)
    second = threading.Thread(target=report)
    second.start()
    first.join(10)
    second.join(10)

    assert outcome["result"] == "the alert is already all clear"
    assert outcome["waited"] >= 0.3
    assert not RoomStatus.objects.exists()
