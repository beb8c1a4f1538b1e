"""The plans API: every endpoint anonymous (401), without permission (404) and with permission."""

from __future__ import annotations

import pytest

from schoolsafe.plans import actions
from schoolsafe.plans.models import Plan
from schoolsafe.plans.tests.helpers import small_map
from schoolsafe.testing.personas import client_for, make_person


@pytest.fixture
def plan(world, principal_a) -> Plan:
    plan = actions.do_create_plan(principal_a, world.school_a)
    actions.do_save_site_map(principal_a, world.school_a, small_map(world.school_a))
    return plan


def endpoints(world, plan) -> list[str]:
    school = world.school_a.pk
    return [f"/api/v1/plans/{plan.pk}", f"/api/v1/plans/{plan.pk}/versions/1",
            f"/api/v1/schools/{school}/response-protocol", f"/api/v1/schools/{school}/site-map",
            f"/api/v1/schools/{school}/responder-packet.pdf"]


def test_anonymous_callers_get_401(world, plan, client):
    for url in ["/api/v1/plans", *endpoints(world, plan)]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "authentication required"}


def test_callers_without_permission_get_404(world, plan, teacher_b):
    client = client_for(teacher_b)
    assert client.get("/api/v1/plans").json() == []
    for url in endpoints(world, plan):
        assert client.get(url).status_code == 404, url


def test_a_role_that_may_not_read_plans_gets_404(world, plan):
    coordinator = make_person("coordinator_a", "program_coordinator", world.school_a, "school")
    client = client_for(coordinator)
    assert client.get("/api/v1/plans").json() == []
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert client.get(f"/api/v1/schools/{world.school_a.pk}/site-map").status_code == 404
    # ...but the SRP directives are for everyone at the school (the alert pages show them).
    assert client.get(f"/api/v1/schools/{world.school_a.pk}/response-protocol").status_code == 200


def test_a_teacher_reads_the_plan_but_not_the_packet(world, plan, teacher_a):
    client = client_for(teacher_a)
    listing = client.get("/api/v1/plans").json()
    assert [(p["school_name"], [v["status"] for v in p["versions"]]) for p in listing] == [("School A High", ["draft"])]
    version = client.get(f"/api/v1/plans/{plan.pk}/versions/1").json()
    assert version["status"] == "draft" and version["school_id"] == world.school_a.pk
    assert any(s["key"] == "lockdown" and s["kind"] == "functional" for s in version["sections"])
    assert [h["rank"] for h in version["hazards"]] == list(range(1, len(version["hazards"]) + 1))
    scores = [h["risk_score"] for h in version["hazards"]]
    assert scores == sorted(scores, reverse=True)
    assert "the school administrator" in version["missing_signoffs"]
    assert client.get(f"/api/v1/plans/{plan.pk}/versions/9").status_code == 404
    # The teacher sees the school's site map, so the packet is refused (403), not hidden.
    assert client.get(f"/api/v1/schools/{world.school_a.pk}/responder-packet.pdf").status_code == 403


def test_the_serving_police_read_the_plan_and_get_the_packet(world, plan, dispatcher):
    client = client_for(dispatcher)
    assert client.get(f"/api/v1/plans/{plan.pk}").json()["school_name"] == "School A High"
    response = client.get(f"/api/v1/schools/{world.school_a.pk}/responder-packet.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    protocol = client.get(f"/api/v1/schools/{world.school_a.pk}/response-protocol").json()
    assert protocol["directives"]["secure"] == "Get inside. Lock outside doors."
    assert protocol["shelter_strategies"]["tornado"] == "Evacuate to shelter area"


def test_the_openapi_document_lists_the_plans_endpoints(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/plans", "/api/v1/plans/{plan_id}", "/api/v1/plans/{plan_id}/versions/{number}",
                 "/api/v1/schools/{school_id}/site-map", "/api/v1/schools/{school_id}/responder-packet.pdf",
                 "/api/v1/schools/{school_id}/response-protocol"):
        assert path in paths, path
    assert "requestBody" in paths["/api/v1/schools/{school_id}/site-map"]["put"]
