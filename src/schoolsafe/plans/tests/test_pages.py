"""The plan pages as people use them: reading, editing a draft, the workflow buttons, SRP settings, template."""

from __future__ import annotations

import pytest

from schoolsafe.plans import actions
from schoolsafe.plans.models import Plan, PlanVersion, ResponseProtocol
from schoolsafe.plans.srp import DEFAULT_DIRECTIVES, directives_for
from schoolsafe.plans.tests.helpers import police_lead
from schoolsafe.testing.personas import client_for


@pytest.fixture
def plan(world, principal_a) -> Plan:
    return actions.do_create_plan(principal_a, world.school_a)


def draft(plan: Plan) -> PlanVersion:
    return plan.versions.get(number=1)


def test_a_principal_starts_a_plan_from_the_page(world, principal_a):
    client = client_for(principal_a)
    page = client.get(f"/plans/schools/{world.school_a.pk}/")
    assert "has no emergency operations plan" in page.content.decode()
    response = client.post(f"/plans/schools/{world.school_a.pk}/create")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Version 1" in html and "Draft" in html and "Lockdown annex" in html
    assert client.post(f"/plans/schools/{world.school_a.pk}/create").status_code == 409  # already has one


def test_a_teacher_reads_the_plan_but_sees_no_edit_or_workflow_buttons(world, plan, teacher_a):
    html = client_for(teacher_a).get(f"/plans/schools/{world.school_a.pk}/").content.decode()
    assert "Evacuation annex" in html
    assert "Send for review" not in html and "/edit" not in html and "Start the plan" not in html


def test_section_markdown_is_rendered_and_sanitized(world, plan, principal_a):
    section = draft(plan).sections.get(key="evacuation")
    client = client_for(principal_a)
    body = "**Routes** are posted.\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1)) | [ok](https://example.org)"
    response = client.post(f"/plans/sections/{section.pk}/edit", {"title": "Evacuation annex", "body": body})
    assert response.status_code == 302
    html = client.get(f"/plans/schools/{world.school_a.pk}/").content.decode()
    assert "<strong>Routes</strong> are posted." in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


def test_a_section_without_a_title_is_refused_naming_the_field(world, plan, principal_a):
    section = draft(plan).sections.get(key="evacuation")
    response = client_for(principal_a).post(f"/plans/sections/{section.pk}/edit", {"title": "", "body": "x"})
    assert response.status_code == 400
    assert 'id="id_title_error">This field is required.' in response.content.decode()
    section.refresh_from_db()
    assert section.body != "x"


def test_team_hazards_and_annexes_are_edited_on_the_draft(world, plan, principal_a):
    client = client_for(principal_a)
    v = draft(plan)
    assert client.post(f"/plans/versions/{v.pk}/team/add", {"name": "Officer Lee", "role": "SRO"}).status_code == 302
    assert v.team.filter(name="Officer Lee").exists()
    response = client.post(f"/plans/versions/{v.pk}/hazards/add", {
        "name": "Sinkhole", "category": "natural", "probability": "4", "magnitude": "4", "warning_time": "4",
        "duration": "4"})
    assert response.status_code == 302
    html = client.get(f"/plans/schools/{world.school_a.pk}/").content.decode()
    assert html.index("Sinkhole") < html.index("Hurricane")  # ranked first: risk 4.00
    assert "4.00" in html
    bad = client.post(f"/plans/versions/{v.pk}/hazards/add", {"name": "Bad", "category": "natural",
                                                               "probability": "9", "magnitude": "1",
                                                               "warning_time": "1", "duration": "1"})
    assert bad.status_code == 400 and "probability" in bad.content.decode()
    response = client.post(f"/plans/versions/{v.pk}/sections/add", {"kind": "threat", "title": "Flood annex"})
    assert response.status_code == 302
    assert v.sections.filter(key="flood_annex", kind="threat").exists()
    lockdown = v.sections.get(key="lockdown")
    assert client.post(f"/plans/sections/{lockdown.pk}/remove").status_code == 409
    assert v.sections.filter(key="lockdown").exists()


def test_the_workflow_through_the_pages(world, plan, principal_a, director_a):
    v = draft(plan)
    principal, director, police = client_for(principal_a), client_for(director_a), client_for(police_lead(world))
    assert principal.post(f"/plans/versions/{v.pk}/step/submit").status_code == 302
    # The police lead sees only the police sign-off buttons.
    html = police.get(f"/plans/schools/{world.school_a.pk}/").content.decode()
    assert "Sign off as the serving police agency on the Lockdown annex" in html
    assert "Sign off as the school administrator" not in html
    refused = principal.post(f"/plans/versions/{v.pk}/step/approve")
    assert refused.status_code == 409
    assert "cannot approve yet" in refused.content.decode()
    assert principal.post(f"/plans/versions/{v.pk}/step/signoff", {"kind": "school_admin"}).status_code == 302
    assert director.post(f"/plans/versions/{v.pk}/step/signoff", {"kind": "district_director"}).status_code == 302
    for annex in ("lockdown", "security", "active_assailant"):
        assert police.post(f"/plans/versions/{v.pk}/step/signoff", {"kind": f"police:{annex}"}).status_code == 302
    # The police may sign but not approve: approving is the school's and the district's.
    assert police.post(f"/plans/versions/{v.pk}/step/approve").status_code == 403
    assert director.post(f"/plans/versions/{v.pk}/step/approve").status_code == 302
    v.refresh_from_db()
    assert v.status == PlanVersion.Status.APPROVED
    response = principal.post(f"/plans/versions/{v.pk}/step/revise")
    assert response.status_code == 302 and "version=2" in response["Location"]
    assert principal.post(f"/plans/versions/{v.pk}/step/dance").status_code == 404


def test_plan_pages_anonymous_redirect_and_other_schools_are_404(world, plan, client, teacher_b, principal_a):
    v = draft(plan)
    section = v.sections.first()
    gets = [f"/plans/schools/{world.school_a.pk}/", f"/plans/versions/{v.pk}/diff", f"/plans/sections/{section.pk}/edit",
            f"/plans/versions/{v.pk}/hazards/add", f"/plans/schools/{world.school_a.pk}/response-protocol/",
            f"/plans/districts/{world.district_a.pk}/template/"]
    for url in gets:
        assert client.get(url).status_code == 302, url
        assert client_for(teacher_b).get(url).status_code == 404, url
    for url in [f"/plans/versions/{v.pk}/step/submit", f"/plans/versions/{v.pk}/team/add",
                f"/plans/sections/{section.pk}/remove", f"/plans/schools/{world.school_a.pk}/create"]:
        assert client_for(teacher_b).post(url).status_code == 404, url
    # A principal of school A reaches nothing of school B's plan.
    other = actions.do_create_plan(None, world.school_b)
    assert client_for(principal_a).get(f"/plans/schools/{world.school_b.pk}/").status_code == 404
    assert client_for(principal_a).post(f"/plans/versions/{draft(other).pk}/step/submit").status_code == 404


def test_a_teacher_cannot_submit_or_edit(world, plan, teacher_a):
    v = draft(plan)
    client = client_for(teacher_a)
    # The teacher reads the plan, so is refused (403), not told it is missing.
    assert client.post(f"/plans/versions/{v.pk}/step/submit").status_code == 403
    assert client.get(f"/plans/sections/{v.sections.first().pk}/edit").status_code == 403
    v.refresh_from_db()
    assert v.status == PlanVersion.Status.DRAFT


def test_srp_defaults_and_the_settings_page(world, principal_a, teacher_a):
    school = world.school_a
    assert directives_for(school) == DEFAULT_DIRECTIVES
    assert directives_for(school)["lockdown"] == "Locks, lights, out of sight. Prepare to evade or defend."
    html = client_for(teacher_a).get(f"/plans/schools/{school.pk}/response-protocol/").content.decode()
    assert "In your room or area. Clear the halls." in html and "Save settings" not in html
    client = client_for(principal_a)
    data = {**DEFAULT_DIRECTIVES, "hold": "Stay in your room; keep teaching.",
            "shelter_strategies": "tornado: Interior hallways, drop and cover\nhazmat: Seal the room",
            "evacuation_locations": "Football field\nChurch parking lot", "reunification_locations": "Civic center"}
    assert client.post(f"/plans/schools/{school.pk}/response-protocol/", data).status_code == 302
    assert directives_for(school)["hold"] == "Stay in your room; keep teaching."
    saved = ResponseProtocol.objects.get(school=school)
    assert saved.shelter_strategies == {"tornado": "Interior hallways, drop and cover", "hazmat": "Seal the room"}
    bad = client.post(f"/plans/schools/{school.pk}/response-protocol/",
                      {**data, "lockdown": "", "shelter_strategies": "tornado without a colon"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="id_lockdown_error">This field is required.' in html and "line 1: write" in html
    assert directives_for(school)["lockdown"] == "Locks, lights, out of sight. Prepare to evade or defend."
    assert client_for(teacher_a).post(f"/plans/schools/{school.pk}/response-protocol/", data).status_code == 403


def test_the_director_edits_the_district_template(world, director_a, principal_a):
    client = client_for(director_a)
    page = client.get(f"/plans/districts/{world.district_a.pk}/template/")
    assert page.status_code == 200 and "Active assailant annex" in page.content.decode()
    response = client.post(f"/plans/districts/{world.district_a.pk}/template/security",
                           {"title": "Security annex", "body": "Single point of entry at Door 1."})
    assert response.status_code == 302
    assert client.post(f"/plans/districts/{world.district_a.pk}/template/add",
                       {"kind": "threat", "title": "Bomb threat annex", "body": ""}).status_code == 302
    plan = actions.do_create_plan(principal_a, world.school_a)
    v = plan.versions.get()
    assert v.sections.get(key="security").body == "Single point of entry at Door 1."
    assert v.sections.filter(title="Bomb threat annex").exists()
    # The principal reads the template but may not change it.
    principal = client_for(principal_a)
    assert principal.get(f"/plans/districts/{world.district_a.pk}/template/").status_code == 200
    assert principal.post(f"/plans/districts/{world.district_a.pk}/template/security",
                          {"title": "x", "body": "y"}).status_code == 403


def test_navigation_shows_emergency_plans_to_plan_readers(world, teacher_a, outsider):
    assert "Emergency plans" in client_for(teacher_a).get("/").content.decode()
    assert "Emergency plans" not in client_for(outsider).get("/").content.decode()


def test_the_school_sets_its_spanish_srp_wording_which_every_alert_channel_uses(world, principal_a, teacher_a):
    from schoolsafe.plans.srp import DEFAULT_DIRECTIVES_ES

    school = world.school_a
    assert directives_for(school, "es") == DEFAULT_DIRECTIVES_ES
    data = {**DEFAULT_DIRECTIVES, "lockdown_es": "Cerraduras, luces, fuera de vista. Silencio.", "hold_es": "  ",
            "shelter_strategies": "", "evacuation_locations": "", "reunification_locations": ""}
    assert client_for(principal_a).post(f"/plans/schools/{school.pk}/response-protocol/", data).status_code == 302
    spanish = directives_for(school, "es")
    assert spanish["lockdown"] == "Cerraduras, luces, fuera de vista. Silencio."
    assert spanish["hold"] == DEFAULT_DIRECTIVES_ES["hold"]  # left empty: the SRP's Spanish
    html = client_for(teacher_a).get(f"/plans/schools/{school.pk}/response-protocol/").content.decode()
    assert "Cerraduras, luces, fuera de vista. Silencio." in html
