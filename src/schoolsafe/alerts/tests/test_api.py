"""The alerts API, endpoint by endpoint: anonymous, without permission, with permission."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.models import Acknowledgement, Alert, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db


def raise_as(api, user, school, **overrides):
    response = api(user).post(ALERTS_URL, lockdown(school, **overrides))
    assert response.status_code == 201, response.content
    return Alert.objects.get(pk=response.json()["id"])


# --- anonymous -----------------------------------------------------------------------------------------


def test_every_endpoint_refuses_an_anonymous_caller(api, world, teacher_a):
    alert = raise_as(api, teacher_a, world.school_a)
    anonymous = api(None)
    calls = [
        ("post", ALERTS_URL),
        ("get", ALERTS_URL),
        ("get", f"{ALERTS_URL}/{alert.pk}"),
        ("post", f"{ALERTS_URL}/{alert.pk}/acknowledge"),
        ("post", f"{ALERTS_URL}/{alert.pk}/all-clear"),
        ("post", f"{ALERTS_URL}/{alert.pk}/cancel"),
        ("get", f"{ALERTS_URL}/{alert.pk}/delivery"),
    ]
    for method, path in calls:
        response = anonymous.post(path, lockdown(world.school_a)) if method == "post" else anonymous.get(path)
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"]
    assert Alert.objects.count() == 1
    assert not Acknowledgement.objects.exists()
    assert Alert.objects.get().status == "active"


def test_a_revoked_or_unknown_token_is_refused(world, teacher_a):
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION="Bearer ss_00000000_nope").post(
        ALERTS_URL, lockdown(world.school_a), content_type="application/json"
    )
    assert response.status_code == 401
    assert not Alert.objects.exists()


# --- raising -------------------------------------------------------------------------------------------


def test_a_teacher_raises_a_lockdown_for_their_school(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))

    assert response.status_code == 201
    body = response.json()
    assert body["school"] == {"id": world.school_a.pk, "name": "School A High"}
    assert body["action"] == "lockdown"
    assert body["directive"] == "Locks, lights, out of sight. Prepare to evade or defend."
    assert body["tier"] == "emergency"
    assert body["status"] == "active"
    assert body["exercise"] is False
    assert body["location"] == {"building": "C", "room": "C-12", "text": "east stairwell",
                                "latitude": None, "longitude": None}
    assert body["raised_by"] == {"id": teacher_a.pk, "name": "Teacher A"}
    alert = Alert.objects.get()
    assert alert.pk == body["id"] and alert.raised_by == teacher_a and alert.reason == "intruder in building C"
    # Committed with it: the event that announces it, its escalation timer and its audit row.
    event = Event.objects.get(kind="alert.raised")
    assert event.subject_type == "alerts.alert" and event.subject_id == str(alert.pk)
    assert event.data == {k: v for k, v in body.items() if k not in ("merged", "report")}
    a, s, d = world.agency_a.pk, world.school_a.pk, world.district_a.pk
    assert event.audience == sorted([
        f"agency:{a}:dispatcher", f"agency:{a}:police_supervisor", f"district:{d}:district_director",
        f"school:{s}:officer", f"school:{s}:school_admin", f"school:{s}:staff", f"school:{s}:ta_member",
        f"user:{teacher_a.pk}",
    ])
    timer = EscalationTimer.objects.get(alert=alert)
    assert timer.timeout_seconds == 30 and timer.escalate_to_role == "police_supervisor"
    assert timer.state == "pending"
    assert AuditEntry.objects.filter(action="alerts.raise_alert", object_id=str(alert.pk)).count() == 1


def test_an_assist_call_reaches_the_office_and_the_sro_only_and_never_escalates(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="hold", tier="assist",
                                                        reason="student medical", location={"text": "room 212"}))
    assert response.status_code == 201
    assert response.json()["location"]["text"] == "room 212"
    s = world.school_a.pk
    assert Event.objects.get().audience == [f"school:{s}:officer", f"school:{s}:school_admin", f"user:{teacher_a.pk}"]
    assert not EscalationTimer.objects.exists()


def test_shelter_names_its_hazard_and_takes_srp_strategy_by_default(api, world, principal_a):
    response = api(principal_a).post(ALERTS_URL, lockdown(world.school_a, action="shelter", hazard="tornado",
                                                          exercise=True))
    assert response.status_code == 201
    body = response.json()
    assert (body["hazard"], body["strategy"], body["exercise"]) == ("tornado", "Evacuate to shelter area", True)


def test_evacuate_names_where_to_go(api, world, principal_a):
    response = api(principal_a).post(ALERTS_URL, lockdown(world.school_a, action="evacuate",
                                                          evacuate_to="football field, north gate"))
    assert response.status_code == 201
    assert response.json()["evacuate_to"] == "football field, north gate"


@pytest.mark.parametrize("persona", ["dispatcher", "director_a", "principal_a", "sro_a", "supervisor_a"])
def test_police_and_school_leaders_may_raise_for_a_school_they_serve(api, world, persona, request):
    user = request.getfixturevalue(persona)
    assert api(user).post(ALERTS_URL, lockdown(world.school_a)).status_code == 201


def test_a_teacher_of_school_b_cannot_raise_for_school_a_and_learns_nothing(api, world, teacher_b):
    response = api(teacher_b).post(ALERTS_URL, lockdown(world.school_a))
    unknown = api(teacher_b).post(ALERTS_URL, lockdown(world.school_a, school=999_999))

    assert response.status_code == 404
    assert response.json()["detail"] == f"school: no school {world.school_a.pk} that you can see"
    # Indistinguishable from a school that does not exist.
    assert unknown.status_code == 404 and unknown.json()["detail"] == "school: no school 999999 that you can see"
    assert not Alert.objects.exists() and not Event.objects.exists()


def test_a_dispatcher_of_another_agency_cannot_raise_for_school_a(api, world, dispatcher_b):
    assert api(dispatcher_b).post(ALERTS_URL, lockdown(world.school_a)).status_code == 404
    assert not Alert.objects.exists()


def test_someone_who_sees_the_school_but_may_not_raise_is_refused_with_403(api, world, analyst_a):
    response = api(analyst_a).post(ALERTS_URL, lockdown(world.school_a))
    assert response.status_code == 403
    assert "may not raise" in response.json()["detail"]
    assert not Alert.objects.exists() and not Event.objects.exists()


def test_a_browser_session_may_raise_too(world, teacher_a):
    from schoolsafe.testing.personas import client_for

    response = client_for(teacher_a).post(ALERTS_URL, lockdown(world.school_a), content_type="application/json")
    assert response.status_code == 201


# --- reading -------------------------------------------------------------------------------------------


def test_the_list_shows_the_active_alerts_the_caller_may_see(api, world, teacher_a, teacher_b, dispatcher, settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # two incidents at one school
    first = raise_as(api, teacher_a, world.school_a)
    second = raise_as(api, teacher_a, world.school_a, action="secure")
    api(dispatcher).post(f"{ALERTS_URL}/{first.pk}/all-clear", {"on_behalf_of": "Sgt. Lee, incident commander"})

    everything = api(dispatcher).get(ALERTS_URL).json()
    active = api(dispatcher).get(ALERTS_URL, status="active").json()
    of_b = api(teacher_b).get(ALERTS_URL).json()

    assert [a["id"] for a in everything["items"]] == [second.pk, first.pk] and everything["count"] == 2
    assert [a["id"] for a in active["items"]] == [second.pk] and active["count"] == 1
    assert of_b == {"items": [], "count": 0}
    assert api(dispatcher).get(ALERTS_URL, status="exploded").status_code == 422


def test_one_alert_with_its_acknowledgements(api, world, teacher_a, teacher_b, outsider, dispatcher):
    alert = raise_as(api, teacher_a, world.school_a)
    api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge")

    response = api(teacher_a).get(f"{ALERTS_URL}/{alert.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alert.pk
    assert [a["user"]["id"] for a in body["acknowledgements"]] == [dispatcher.pk]
    assert api(teacher_b).get(f"{ALERTS_URL}/{alert.pk}").status_code == 404
    assert api(outsider).get(f"{ALERTS_URL}/{alert.pk}").status_code == 404
    assert api(teacher_a).get(f"{ALERTS_URL}/999999").status_code == 404


def test_an_assist_call_is_not_shown_to_other_teachers_or_dispatch(api, world, teacher_a, principal_a, sro_a,
                                                                     dispatcher):
    other_teacher = make_person("teacher_a_other", "staff", world.school_a, "school")
    alert = raise_as(api, teacher_a, world.school_a, tier="assist", action="hold")
    path = f"{ALERTS_URL}/{alert.pk}"

    assert api(teacher_a).get(path).status_code == 200  # the person who asked for help
    assert api(principal_a).get(path).status_code == 200
    assert api(sro_a).get(path).status_code == 200
    assert api(other_teacher).get(path).status_code == 404
    assert api(dispatcher).get(path).status_code == 404


def test_an_emergency_reaches_school_a_only(api, world, teacher_a, teacher_a2, director_a, dispatcher_b):
    alert = raise_as(api, teacher_a, world.school_a)
    path = f"{ALERTS_URL}/{alert.pk}"
    assert api(director_a).get(path).status_code == 200
    assert api(teacher_a2).get(path).status_code == 404  # same district, other school
    assert api(dispatcher_b).get(path).status_code == 404  # an agency that does not serve school A


# --- acknowledge, all clear, cancel --------------------------------------------------------------------


def test_acknowledging_twice_records_one_acknowledgement(api, world, teacher_a, principal_a, teacher_b):
    alert = raise_as(api, teacher_a, world.school_a)
    path = f"{ALERTS_URL}/{alert.pk}/acknowledge"

    assert api(teacher_b).post(path).status_code == 404
    first = api(principal_a).post(path)
    again = api(principal_a).post(path, {"concurring_officer": "Officer Ruiz, badge 4411"})

    assert first.status_code == 200 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert first.json()["at"] == again.json()["at"]
    assert Acknowledgement.objects.filter(alert=alert).count() == 1
    ack_event = Event.objects.get(kind="alert.acknowledged")
    assert ack_event.data["user"]["id"] == principal_a.pk and ack_event.data["by_dispatch"] is False
    assert f"user:{teacher_a.pk}" in ack_event.audience  # the person who raised it sees it


def test_the_all_clear_is_given_by_those_who_command_not_by_any_teacher(api, world, teacher_a, teacher_b,
                                                                         principal_a):
    alert = raise_as(api, teacher_a, world.school_a)
    path = f"{ALERTS_URL}/{alert.pk}/all-clear"

    assert api(teacher_b).post(path).status_code == 404
    refused = api(teacher_a).post(path)
    assert refused.status_code == 403 and "all clear" in refused.json()["detail"]
    given = api(principal_a).post(path, {"concurring_officer": "Officer Ruiz, badge 4411"})
    assert given.status_code == 200
    assert given.json()["status"] == "all_clear" and given.json()["all_clear_at"]
    again = api(principal_a).post(path, {"concurring_officer": "Officer Ruiz, badge 4411"})
    assert again.status_code == 409 and "already all clear" in again.json()["detail"]
    alert.refresh_from_db()
    assert alert.all_clear_by == principal_a
    assert Event.objects.filter(kind="alert.all_clear").count() == 1
    assert EscalationTimer.objects.get(alert=alert).cancel_reason == "all_clear"


def test_the_person_who_raised_an_alert_may_cancel_it_another_teacher_may_not(api, world, teacher_a):
    other_teacher = make_person("teacher_a_other", "staff", world.school_a, "school")
    # A Secure (a real lockdown's cancel is only a request: test_cancel_request.py).
    alert = raise_as(api, teacher_a, world.school_a, action="secure")
    path = f"{ALERTS_URL}/{alert.pk}/cancel"

    assert api(other_teacher).post(path).status_code == 403
    cancelled = api(teacher_a).post(path)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 409
    assert Event.objects.filter(kind="alert.cancelled").count() == 1
    assert AuditEntry.objects.filter(action="alerts.cancel_alert", actor=teacher_a).count() == 1


def test_dispatch_may_cancel_an_alert_raised_by_mistake(api, world, teacher_a, dispatcher, teacher_b):
    alert = raise_as(api, teacher_a, world.school_a)
    assert api(teacher_b).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 404
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200


# --- delivery report permissions (content: test_delivery.py) -------------------------------------------


def test_the_delivery_report_is_for_those_who_run_the_response(api, world, teacher_a, teacher_b, principal_a):
    alert = raise_as(api, teacher_a, world.school_a)
    path = f"{ALERTS_URL}/{alert.pk}/delivery"
    assert api(teacher_b).get(path).status_code == 404
    assert api(teacher_a).get(path).status_code == 403
    assert api(principal_a).get(path).status_code == 200


def test_the_openapi_document_describes_the_alert_body(client):
    spec = client.get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/alerts"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "action" in schema["properties"] and "school" in schema["required"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
