"""The threat-assessment pages as the team and the staff use them: referral, the case page and its step
forms, errors next to the form, teams, the dashboard of overdue follow-ups, reports."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import MembershipFactory
from schoolsafe.testing.personas import client_for, make_person
from schoolsafe.threats import actions
from schoolsafe.threats.models import Case, FollowUp, Stage, Team, TeamMember
from schoolsafe.threats.tests.conftest import intake


def form(**overrides):
    data = intake()
    data["occurred_at"] = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data.update(overrides)
    return data


def case_url(case, name="threats:case", *args):
    return reverse(name, args=[case.pk, *args])


@pytest.fixture
def case_a(lead_a, clinician_a, officer_a, team_a):
    return actions.do_open_case(lead_a, team_a, **intake())


def test_a_teacher_refers_a_concern_and_then_cannot_see_the_case(world, team_a, lead_a, teacher_a):
    client = client_for(teacher_a)
    page = client.get(reverse("threats:refer"))
    assert page.status_code == 200
    assert "School A High" in page.content.decode() and "will not see it" in page.content.decode()
    response = client.post(reverse("threats:refer"), form(school=world.school_a.pk))
    assert response.status_code == 302 and response["Location"] == reverse("threats:referred")
    case = Case.objects.get()
    assert case.source == "referral" and case.referred_by == teacher_a and case.how_received == "in_person"
    assert client.get(case_url(case)).status_code == 404
    assert client_for(lead_a).get(case_url(case)).status_code == 200
    # The nav offers the referral form to a teacher, not the team's dashboard.
    home = client.get("/").content.decode()
    assert reverse("threats:refer") in home and reverse("threats:dashboard") + '"' not in home


def test_a_referral_with_a_missing_field_says_which_and_writes_nothing(world, team_a, teacher_a):
    response = client_for(teacher_a).post(reverse("threats:refer"), form(school=world.school_a.pk, behaviour=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The exact words or behaviour is required." in html and 'href="#f-behaviour"' in html
    assert 'id="f-behaviour" name="behaviour" rows="4" required aria-describedby="behaviour-hint" aria-invalid="true"' in html
    # What was typed comes back.
    assert "Jordan Example" in html
    assert not Case.objects.exists()


def test_a_referral_to_a_school_the_teacher_is_not_in_is_refused(world, team_a, teacher_b):
    response = client_for(teacher_b).post(reverse("threats:refer"), form(school=world.school_a.pk))
    assert response.status_code == 400 and "Choose one of your schools" in response.content.decode()
    assert not Case.objects.exists()


def test_the_case_page_walks_the_team_through_each_step(case_a, lead_a, clinician_a):
    client = client_for(lead_a)
    html = client.get(case_url(case_a)).content.decode()
    assert f"Case {case_a.number}" in html and "Next: Step 1: evaluate the threat" in html
    assert "Jordan Example" in html and "make them pay" in html
    post = client.post(case_url(case_a, "threats:step", "evaluate"), {
        "person_interview": "Admitted anger.", "rationale": "Confirmed.", "witness_interviews": "",
    })
    assert post.status_code == 302
    page = client.get(case_url(case_a)).content.decode()
    assert "Step 1 recorded: evaluation." in page and "Next: Step 2: transient or substantive" in page
    stepper = re.findall(r'<li class="(\w*)"( aria-current="step")?>\s*<span class="step-number">(\d)', page)
    assert stepper == [("done", "", "1"), ("current", ' aria-current="step"', "2"), ("", "", "3"), ("", "", "4"),
                       ("", "", "5")]
    post = client.post(case_url(case_a, "threats:step", "classify"), {"classification": "substantive", "rationale": "Intent."})
    assert post.status_code == 302
    post = client.post(case_url(case_a, "threats:step", "respond"), {
        "seriousness": "very_serious", "protective_actions": "Kept home.", "rationale": "Weapon.",
        "recipient_0": "target_parent", "name_0": "Parents of the targets", "method_0": "phone",
        "recipient_1": "target", "name_1": "", "method_1": "",
    })
    assert post.status_code == 302
    case_a.refresh_from_db()
    assert case_a.stage == Stage.SAFETY_EVALUATION and case_a.notifications.count() == 1
    post = client.post(case_url(case_a, "threats:step", "safety-evaluation"), {
        "mental_health_assessment": "Done.", "law_enforcement_investigation": "Home visit.",
        "interim_measures": "Check-ins.", "rationale": "Manageable."})
    assert post.status_code == 302
    first = timezone.localdate() + dt.timedelta(days=1)
    post = client.post(case_url(case_a, "threats:step", "safety-plan"), {
        "interventions": "Counselling.", "responsible": clinician_a.pk, "monitoring_schedule": "Weekly",
        "first_date": first.isoformat(), "every_days": "7", "count": "3", "rationale": "Fits."})
    assert post.status_code == 302
    assert list(case_a.follow_ups.values_list("due_on", flat=True)) == [first + dt.timedelta(days=7 * i) for i in range(3)]
    page = client.get(case_url(case_a)).content.decode()
    assert "Safety plan and follow-ups" in page and "Record follow-up" in page
    # The decisions read as words: who decided what, and the step's record.
    assert "Step 3: substantive response: very serious</strong> — Lead A" in page
    assert "<dt>Protective actions</dt><dd>Kept home.</dd>" in page


def test_a_step_out_of_order_is_a_409_with_the_reason(case_a, lead_a):
    response = client_for(lead_a).post(case_url(case_a, "threats:step", "close"), {"outcome": "other", "reason": "x"})
    assert response.status_code == 409
    assert "none may be skipped" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.stage == Stage.EVALUATE


def test_a_refused_step_keeps_what_was_typed_and_names_the_field(case_a, lead_a):
    response = client_for(lead_a).post(case_url(case_a, "threats:step", "evaluate"),
                                       {"person_interview": "Talked to Jordan at length.", "rationale": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The team&#x27;s summary of the evaluation is required." in html
    assert "Talked to Jordan at length." in html


def test_a_clinical_note_is_offered_only_to_the_mental_health_member(case_a, lead_a, clinician_a, officer_a):
    assert "Clinical note (only" in client_for(clinician_a).get(case_url(case_a)).content.decode()
    assert "Clinical note (only" not in client_for(officer_a).get(case_url(case_a)).content.decode()
    response = client_for(officer_a).post(case_url(case_a, "threats:step", "notes"), {"text": "x", "clinical": "on"})
    assert response.status_code == 400 and "Only the team&#x27;s mental-health members" in response.content.decode()
    response = client_for(clinician_a).post(case_url(case_a, "threats:step", "notes"),
                                            {"text": "Depressive symptoms; safety plan signed.", "clinical": "on"})
    assert response.status_code == 302
    assert "Depressive symptoms" in client_for(clinician_a).get(case_url(case_a)).content.decode()
    assert "Depressive symptoms" not in client_for(officer_a).get(case_url(case_a)).content.decode()
    assert "Depressive symptoms" not in client_for(lead_a).get(case_url(case_a)).content.decode()


def test_themes_and_disclosures_from_the_case_page(case_a, lead_a):
    client = client_for(lead_a)
    response = client.post(case_url(case_a, "threats:step", "themes"), {
        "finding_weapons_access": "concern", "notes_weapons_access": "Handgun at home.", "finding_motive": "unknown"})
    assert response.status_code == 302
    assert dict(case_a.themes.values_list("theme", "finding")) == {"weapons_access": "concern", "motive": "unknown"}
    response = client.post(case_url(case_a, "threats:step", "disclosures"), {
        "recipients": "Cedar Falls PD detective", "information": "Threat words and names", "legal_basis": "ferpa_health_safety"})
    assert response.status_code == 400 and "articulable and significant threat" in response.content.decode()
    response = client.post(case_url(case_a, "threats:step", "disclosures"), {
        "recipients": "Cedar Falls PD detective", "information": "Threat words and names",
        "legal_basis": "ferpa_health_safety", "basis_detail": "Stated plan to shoot classmates Friday."})
    assert response.status_code == 302
    page = client.get(case_url(case_a)).content.decode()
    assert "Cedar Falls PD detective" in page and "FERPA health-or-safety emergency" in page


def test_the_dashboard_lists_cases_and_flags_overdue_follow_ups(case_a, lead_a, clinician_a, team_a):
    FollowUp.objects.create(case=case_a, due_on=timezone.localdate() - dt.timedelta(days=3), responsible=clinician_a)
    case_a.stage = Stage.MONITORING
    case_a.save()
    html = client_for(lead_a).get(reverse("threats:dashboard")).content.decode()
    assert "Overdue follow-ups" in html and case_a.number in html and "1 overdue" in html
    assert "Clinician A" in html
    listed = AuditEntry.objects.filter(action="threats.read_case_list", actor=lead_a).get()
    assert listed.summary["cases"] == [case_a.number]
    html = client_for(lead_a).get(reverse("threats:dashboard") + "?show=closed").content.decode()
    assert "No cases." in html and "Jordan Example" not in html


def test_the_export_is_a_json_document_with_the_records_request_reference(case_a, lead_a):
    client = client_for(lead_a)
    assert client.get(case_url(case_a, "threats:export")).status_code == 200
    assert client.post(case_url(case_a, "threats:export"), {"request_reference": ""}).status_code == 400
    response = client.post(case_url(case_a, "threats:export"), {"request_reference": "PRR-2025-117"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{case_a.number}.json"'
    document = json.loads(response.content)
    assert document["export"]["request_reference"] == "PRR-2025-117"
    assert document["intake"]["person_of_concern"]["name"] == "Jordan Example"
    assert [t["theme"] for t in document["investigative_themes"]][:2] == ["Motive", "Communications"]
    entry = AuditEntry.objects.get(action="threats.case_exported")
    assert entry.actor == lead_a and entry.summary["request_reference"] == "PRR-2025-117"


def test_a_principal_sets_up_the_team_and_only_ta_members_can_join(world, principal_a, teacher_a):
    client = client_for(principal_a)
    response = client.post(reverse("threats:teams"), {"place": f"school:{world.school_a.pk}"})
    team = Team.objects.get()
    assert response.status_code == 302 and team.school == world.school_a
    response = client.post(reverse("threats:team", args=[team.pk]), {"user": teacher_a.pk, "team_role": "other"})
    assert response.status_code == 400
    assert "does not hold the threat-assessment team member role at School A High" in response.content.decode()
    counselor = make_person("counselor_a", "ta_member", world.school_a, "school")
    MembershipFactory(user=counselor, role="clinician", school=world.school_a)  # the mental-health seat needs it
    response = client.post(reverse("threats:team", args=[team.pk]),
                           {"user": counselor.pk, "team_role": "mental_health", "is_lead": "on"})
    assert response.status_code == 302
    member = TeamMember.objects.get(team=team)
    assert (member.user, member.team_role, member.is_lead) == (counselor, "mental_health", True)
    # A roster is not a case: the principal sees the roster but no case.
    assert "Counselor A" in client.get(reverse("threats:team", args=[team.pk])).content.decode()
    response = client.post(reverse("threats:team-member", args=[team.pk, member.pk, "remove"]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.removed_at is not None


def test_a_team_of_another_district_is_not_found(world, team_b, principal_a, lead_a):
    for user in (principal_a, lead_a):
        assert client_for(user).get(reverse("threats:team", args=[team_b.pk])).status_code == 404
        assert client_for(user).post(reverse("threats:team", args=[team_b.pk]), {"user": 1}).status_code == 404


def test_the_report_suppresses_small_counts(world, lead_a, team_a, director_a, teacher_a):
    for i in range(12):
        case = actions.do_open_case(lead_a, team_a, **intake(person_name=f"Student {i}"))
        if i < 11:
            Case.objects.filter(pk=case.pk).update(classification="transient", classified_at=case.opened_at,
                                                   stage=Stage.CLOSED, closure_outcome="resolved")
    response = client_for(director_a).get(reverse("threats:report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cases: <strong class=\"count\">12</strong>" in html
    # Transient 11 would give away the single pending case with the total: both are hidden.
    assert '<th scope="row">Transient</th><td class="count">&lt;10</td>' in html
    assert '<th scope="row">Within 1 day</th><td class="count">&lt;10</td>' in html
    assert "Student" not in html
    # Another district's school never appears; a teacher gets no report.
    assert "School B High" not in html
    assert client_for(teacher_a).get(reverse("threats:report")).status_code == 404


def test_a_team_member_opens_a_case_from_the_page(world, team_a, lead_a, teacher_a):
    client = client_for(lead_a)
    assert client.get(reverse("threats:case-new")).status_code == 200
    response = client.post(reverse("threats:case-new"), form(team=team_a.pk, how_received="phone"))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("threats:case", args=[case.pk])
    assert (case.source, case.school, case.opened_by, case.how_received) == ("team", world.school_a, lead_a, "phone")
    # Someone on no team has no such page, and cannot post to it.
    assert client_for(teacher_a).get(reverse("threats:case-new")).status_code == 404
    assert client_for(teacher_a).post(reverse("threats:case-new"), form(team=team_a.pk)).status_code == 404


def test_a_coordinator_opens_a_district_team_case_for_one_school(world, coordinator_a):
    team = Team.objects.create(name="District A team", district=world.district_a)
    client = client_for(coordinator_a)
    page = client.get(reverse("threats:case-new")).content.decode()
    assert "School A Elementary" in page and "School B High" not in page
    response = client.post(reverse("threats:case-new"), form(team=team.pk, school=world.school_a2.pk))
    assert response.status_code == 302
    assert Case.objects.get().school == world.school_a2
