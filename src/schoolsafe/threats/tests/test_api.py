"""Every threat-assessment endpoint: anonymous (401), without permission (404), with permission."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.personas import client_for
from schoolsafe.threats import actions
from schoolsafe.threats.models import Case, Stage
from schoolsafe.threats.tests.conftest import intake


def body(**overrides):
    data = intake()
    data["occurred_at"] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    data.update(overrides)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def case_a(team_a, lead_a, clinician_a, officer_a):
    case = actions.do_open_case(lead_a, team_a, **intake())
    actions.do_add_note(lead_a, case, text="Team note.")
    return case


@pytest.fixture
def endpoints(case_a, world, team_a):
    """(method, url, body) of every endpoint, on school A's case."""
    note = case_a.notes.get()
    base = f"/api/v1/threats/cases/{case_a.pk}"
    return [
        ("get", "/api/v1/threats/cases", None),
        ("post", "/api/v1/threats/cases", body(team_id=team_a.pk)),
        ("post", "/api/v1/threats/referrals", body(school_id=world.school_a.pk)),
        ("get", base, None),
        ("get", f"{base}/decisions", None),
        ("post", f"{base}/decisions", {"step": "evaluate", "person_interview": "Met.", "rationale": "Confirmed."}),
        ("get", f"{base}/notes", None),
        ("get", f"{base}/notes/{note.pk}", None),
        ("post", f"{base}/notes", {"text": "Another note."}),
        ("get", f"{base}/export?request_reference=PRR-1", None),
    ]


def call(client, method, url, data):
    return client.get(url) if method == "get" else post(client, url, data)


def test_every_endpoint_needs_authentication(endpoints):
    for method, url, data in endpoints:
        response = call(Client(), method, url, data)
        assert response.status_code == 401, (method, url)
        assert response.json() == {"detail": "authentication required"}
    assert Case.objects.count() == 1


def test_without_permission_every_endpoint_is_404_or_empty(endpoints, teacher_b, member_b, case_a):
    # teacher_b is in another district (cannot even refer to school A); member_b sits on another school's team.
    for user in (teacher_b, member_b):
        client = client_for(user)
        for method, url, data in endpoints:
            response = call(client, method, url, data)
            if url == "/api/v1/threats/cases" and method == "get":
                assert response.status_code == 200 and response.json() == [], user
            else:
                assert response.status_code == 404, (user, method, url, response.content)
    assert Case.objects.count() == 1 and not case_a.decisions.exists() and case_a.notes.count() == 1


def test_with_permission_every_endpoint_answers(endpoints, lead_a, case_a, teacher_a):
    client = client_for(lead_a)
    for method, url, data in endpoints:
        who = client_for(teacher_a) if url.endswith("/referrals") else client
        response = call(who, method, url, data)
        expected = 201 if method == "post" else 200
        assert response.status_code == expected, (method, url, response.content)
    # The referral answer does not reveal the case it made.
    referral = post(client_for(teacher_a), "/api/v1/threats/referrals", body(school_id=case_a.school_id))
    assert referral.json() == {"detail": "The threat-assessment team has your referral."}
    listed = client.get("/api/v1/threats/cases").json()
    assert {c["source"] for c in listed} == {"team", "referral"} and len(listed) == 4


def test_a_case_through_the_api_from_opening_to_closure(lead_a, clinician_a, team_a):
    client = client_for(lead_a)
    created = post(client, "/api/v1/threats/cases", body(team_id=team_a.pk))
    assert created.status_code == 201
    case = created.json()
    assert case["stage"] == "evaluate" and case["person_name"] == "Jordan Example" and case["number"].startswith("TA-")
    url = f"/api/v1/threats/cases/{case['id']}/decisions"
    skipped = post(client, url, {"step": "close", "outcome": "resolved", "reason": "x"})
    assert skipped.status_code == 409 and "none may be skipped" in skipped.json()["detail"]
    assert post(client, url, {"step": "evaluate", "person_interview": "Met.", "rationale": "ok"}).status_code == 201
    missing = post(client, url, {"step": "classify", "classification": "transient", "rationale": "joke"})
    assert missing.status_code == 400 and missing.json()["detail"].startswith("resolution: ")
    decided = post(client, url, {"step": "classify", "classification": "transient", "rationale": "joke",
                                 "resolution": "Apologised."})
    assert decided.status_code == 201
    assert decided.json()["outcome"] == "transient" and decided.json()["decided_by"] == "lead_a"
    no_reason = post(client, url, {"step": "close", "outcome": "resolved", "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["detail"].startswith("reason: ")
    closed = post(client, url, {"step": "close", "outcome": "resolved", "reason": "Resolved by apology."})
    assert closed.status_code == 201
    assert client.get(f"/api/v1/threats/cases/{case['id']}").json()["stage"] == "closed"
    assert [d["step"] for d in client.get(url).json()] == ["evaluate", "classify", "close"]


def test_very_serious_through_the_api_with_plan_and_follow_up(lead_a, clinician_a, officer_a, team_a, case_a):
    client = client_for(lead_a)
    url = f"/api/v1/threats/cases/{case_a.pk}/decisions"
    today = timezone.localdate()
    for payload in (
        {"step": "evaluate", "person_interview": "Met.", "rationale": "ok"},
        {"step": "classify", "classification": "substantive", "rationale": "intent"},
        {"step": "respond", "seriousness": "very_serious", "protective_actions": "Kept home.", "rationale": "gun",
         "notifications": [{"recipient": "target", "name": "Classmates", "method": "in person"}]},
        {"step": "safety_evaluation", "mental_health_assessment": "Done", "law_enforcement_investigation": "Visit",
         "interim_measures": "Check-ins", "rationale": "ok"},
        {"step": "safety_plan", "interventions": "Counselling", "responsible_id": clinician_a.pk,
         "monitoring_schedule": "Weekly", "monitoring_dates": [today.isoformat()], "rationale": "ok"},
    ):
        response = post(client, url, payload)
        assert response.status_code == 201, (payload["step"], response.content)
    follow_up = case_a.follow_ups.get()
    wrong = post(client, url, {"step": "follow_up", "follow_up_id": follow_up.pk + 99, "summary": "x"})
    assert wrong.status_code == 400 and wrong.json()["detail"].startswith("follow_up_id: ")
    done = post(client_for(clinician_a), url, {"step": "follow_up", "follow_up_id": follow_up.pk, "summary": "Better."})
    assert done.status_code == 201 and done.json()["step"] == "follow_up"
    assert post(client, url, {"step": "close", "outcome": "plan_completed", "reason": "Plan done."}).status_code == 201
    case_a.refresh_from_db()
    assert case_a.stage == Stage.CLOSED and case_a.classification == "very_serious"


def test_bad_input_names_the_field_and_writes_nothing(lead_a, team_a, case_a):
    client = client_for(lead_a)
    response = post(client, "/api/v1/threats/cases", body(team_id=team_a.pk, mode="telepathy"))
    assert response.status_code == 422 and "mode" in response.json()["detail"]
    response = post(client, "/api/v1/threats/cases", body(team_id=team_a.pk, behaviour=""))
    assert response.status_code == 400 and response.json()["detail"].startswith("behaviour: ")
    response = client.get(f"/api/v1/threats/cases/{case_a.pk}/export")
    assert response.status_code == 422 and "request_reference" in response.json()["detail"]
    response = post(client, f"/api/v1/threats/cases/{case_a.pk}/notes", {"text": "x", "clinical": True})
    assert response.status_code == 400 and response.json()["detail"].startswith("clinical: ")
    assert Case.objects.count() == 1 and case_a.notes.count() == 1


def test_api_reads_are_audited(case_a, officer_a):
    client = client_for(officer_a)
    client.get(f"/api/v1/threats/cases/{case_a.pk}")
    client.get("/api/v1/threats/cases")
    actions_seen = list(AuditEntry.objects.filter(actor=officer_a).values_list("action", flat=True))
    assert actions_seen == ["threats.read_case", "threats.read_case_list"]


def test_the_openapi_document_lists_the_threat_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/threats/cases", "/api/v1/threats/cases/{case_id}", "/api/v1/threats/cases/{case_id}/decisions",
                 "/api/v1/threats/cases/{case_id}/notes", "/api/v1/threats/cases/{case_id}/notes/{note_id}",
                 "/api/v1/threats/cases/{case_id}/export", "/api/v1/threats/referrals"):
        assert path in paths, path
