"""Need-to-know: who can learn that a case exists, who reads clinical notes, and that every look is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolsafe.accounts.models import Membership
from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import client_for, make_person
from schoolsafe.threats import actions
from schoolsafe.threats.models import (
    Case,
    Decision,
    Disclosure,
    FollowUp,
    Note,
    SafetyPlan,
    Team,
    TeamMember,
    ThemeAssessment,
)
from schoolsafe.threats.tests.conftest import intake


@pytest.fixture
def case_a(team_a, lead_a, clinician_a, officer_a, teacher_a, world):
    # Referred by a teacher, as most cases start.
    case = actions.do_refer_concern(teacher_a, world.school_a, **intake())
    actions.do_add_note(lead_a, case, text="Parents reached; meeting Monday.")
    actions.do_add_note(clinician_a, case, text="Clinical: history of self-harm.", clinical=True)
    return case


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def strangers(world, teacher_a, principal_a, director_a, member_b, director_b, superuser, outsider):
    """Everyone who must not learn that school A's case exists."""
    analyst = make_person("analyst_a", "tip_analyst", world.district_a, "district")
    coordinator_b = make_person("coordinator_b", "ta_member", world.district_b, "district")
    # A ta_member of school A who is not on the team.
    bystander = make_person("bystander_a", "ta_member", world.school_a, "school")
    return {"teacher of the school (the referrer)": teacher_a, "principal not on the team": principal_a,
            "district director of the same district": director_a, "team member of another school": member_b,
            "district director of another district": director_b, "superuser": superuser, "no membership": outsider,
            "tip analyst of the district": analyst, "coordinator of another district": coordinator_b,
            "ta_member of the school not on the team": bystander}


def urls_of(case, note):
    return [reverse("threats:case", args=[case.pk]), reverse("threats:note", args=[case.pk, note.pk]),
            reverse("threats:export", args=[case.pk]),
            f"/api/v1/threats/cases/{case.pk}", f"/api/v1/threats/cases/{case.pk}/decisions",
            f"/api/v1/threats/cases/{case.pk}/notes", f"/api/v1/threats/cases/{case.pk}/notes/{note.pk}",
            f"/api/v1/threats/cases/{case.pk}/export?request_reference=R-1"]


def test_the_team_and_the_district_coordinator_see_the_case(case_a, lead_a, clinician_a, officer_a, coordinator_a):
    for user in (lead_a, clinician_a, officer_a, coordinator_a):
        assert list(Case.objects.restrict(user, "view")) == [case_a], user
        assert client_for(user).get(reverse("threats:case", args=[case_a.pk])).status_code == 200, user


def test_nobody_else_can_learn_that_the_case_exists(case_a, strangers):
    note = case_a.notes.get(clinical=False)
    for who, user in strangers.items():
        client = client_for(user)
        for model in (Case, Decision, Note, ThemeAssessment, SafetyPlan, FollowUp, Disclosure):
            assert not model.objects.restrict(user, "view").exists(), (who, model)
        for url in urls_of(case_a, note):
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(reverse("threats:export", args=[case_a.pk]), {"request_reference": "R"}).status_code == 404
        for step in ("evaluate", "notes", "disclosures", "close"):
            response = client.post(reverse("threats:step", args=[case_a.pk, step]), {"text": "x", "rationale": "x"})
            assert response.status_code == 404, (who, step)
        # Not in any list either.
        assert case_a.number not in client.get(reverse("threats:dashboard")).content.decode(), who
        assert client.get("/api/v1/threats/cases").json() == [], who
        with pytest.raises(actions.NotFound):
            actions.do_add_note(user, case_a, text="Let me in.")
    assert not AuditEntry.objects.filter(action__startswith="threats.read_", actor__in=strangers.values()).exists()


def test_a_missing_case_and_a_hidden_case_look_the_same(case_a, teacher_a):
    client = client_for(teacher_a)
    hidden = client.get(f"/api/v1/threats/cases/{case_a.pk}")
    missing = client.get(f"/api/v1/threats/cases/{case_a.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_the_police_member_sees_the_case_but_not_the_clinical_note(case_a, officer_a, clinician_a, lead_a, coordinator_a):
    clinical = case_a.notes.get(clinical=True)
    plain = case_a.notes.get(clinical=False)
    police = client_for(officer_a)
    assert police.get(reverse("threats:case", args=[case_a.pk])).status_code == 200
    assert police.get(reverse("threats:note", args=[case_a.pk, clinical.pk])).status_code == 404
    assert police.get(f"/api/v1/threats/cases/{case_a.pk}/notes/{clinical.pk}").status_code == 404
    assert [n["id"] for n in police.get(f"/api/v1/threats/cases/{case_a.pk}/notes").json()] == [plain.pk]
    assert "self-harm" not in police.get(reverse("threats:case", args=[case_a.pk])).content.decode()
    exported = police.get(f"/api/v1/threats/cases/{case_a.pk}/export?request_reference=R-2").json()
    assert [n["text"] for n in exported["notes"]] == ["Parents reached; meeting Monday."]
    assert exported["export"]["clinical_notes_included"] is False
    # Nor the team lead, nor the district's coordinator: only mental-health members.
    for user in (lead_a, coordinator_a):
        assert client_for(user).get(reverse("threats:note", args=[case_a.pk, clinical.pk])).status_code == 404
    clinician = client_for(clinician_a)
    assert clinician.get(reverse("threats:note", args=[case_a.pk, clinical.pk])).status_code == 200
    assert "self-harm" in clinician.get(f"/api/v1/threats/cases/{case_a.pk}/notes/{clinical.pk}").json()["text"]
    assert clinician.get(f"/api/v1/threats/cases/{case_a.pk}/export?request_reference=R-3").json()[
        "export"]["clinical_notes_included"] is True


def test_every_view_of_a_case_a_note_and_an_export_is_in_the_audit_log(case_a, officer_a, clinician_a):
    note = case_a.notes.get(clinical=False)
    clinical = case_a.notes.get(clinical=True)
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    police, clinician = client_for(officer_a), client_for(clinician_a)
    police.get(reverse("threats:case", args=[case_a.pk]))
    police.get(f"/api/v1/threats/cases/{case_a.pk}")
    police.get(reverse("threats:note", args=[case_a.pk, note.pk]))
    police.get(f"/api/v1/threats/cases/{case_a.pk}/notes")
    clinician.get(f"/api/v1/threats/cases/{case_a.pk}/notes/{clinical.pk}")
    police.post(reverse("threats:export", args=[case_a.pk]), {"request_reference": "PRR-7"})
    clinician.get(f"/api/v1/threats/cases/{case_a.pk}/export?request_reference=PRR-8")
    police.get(f"/api/v1/threats/cases/{case_a.pk}/decisions")
    rows = [(e.actor.username, e.action, e.object_type, e.object_id, e.summary.get("via"))
            for e in AuditEntry.objects.filter(id__gt=start).select_related("actor")]
    case_id, note_id = str(case_a.pk), str(note.pk)
    assert rows == [
        # The case page shows the case and the notes the officer may read (the plain one only).
        ("officer_a", "threats.read_case", "threats.case", case_id, "page"),
        ("officer_a", "threats.read_note", "threats.note", note_id, "page"),
        ("officer_a", "threats.read_case", "threats.case", case_id, "api"),
        ("officer_a", "threats.read_note", "threats.note", note_id, "page"),
        ("officer_a", "threats.read_case", "threats.case", case_id, "api"),
        ("officer_a", "threats.read_note", "threats.note", note_id, "api"),
        ("clinician_a", "threats.read_note", "threats.note", str(clinical.pk), "api"),
        ("officer_a", "threats.case_exported", "threats.case", case_id, "page"),
        ("clinician_a", "threats.case_exported", "threats.case", case_id, "api"),
        ("officer_a", "threats.read_case", "threats.case", case_id, "api"),
    ]
    reads = AuditEntry.objects.filter(id__gt=start)
    assert all(e.organization == f"school:{case_a.school_id}" for e in reads)
    # The audit rows name the case by number, never the person of concern.
    assert not any("Jordan" in str(e.summary) or "Jordan" in e.object_repr for e in AuditEntry.objects.all())


def test_leaving_the_team_or_losing_the_role_ends_access_at_once(case_a, officer_a, lead_a, world):
    url = reverse("threats:case", args=[case_a.pk])
    assert client_for(officer_a).get(url).status_code == 200
    Membership.objects.filter(user=officer_a, role="ta_member").delete()
    assert client_for(officer_a).get(url).status_code == 404
    Membership.objects.create(user=officer_a, role="ta_member", school=world.school_a)
    assert client_for(officer_a).get(url).status_code == 200
    actions.do_remove_team_member(lead_a, TeamMember.objects.get(user=officer_a))
    assert client_for(officer_a).get(url).status_code == 404
    # Their past decisions stay on the record.
    assert TeamMember.objects.filter(user=officer_a, removed_at__isnull=False).exists()


def test_a_district_team_case_is_seen_by_its_members_and_the_coordinator_only(world, coordinator_a, lead_a):
    district_team = Team.objects.create(name="District A team", district=world.district_a)
    specialist = make_person("specialist", "ta_member", world.district_a, "district")
    TeamMember.objects.create(team=district_team, user=specialist, team_role="mental_health", is_lead=True)
    case = actions.do_open_case(specialist, district_team, school=world.school_a2, **intake())
    assert case.school == world.school_a2
    assert list(Case.objects.restrict(coordinator_a, "view")) == [case]
    assert list(Case.objects.restrict(specialist, "view")) == [case]
    # School A's team lead is not on the district team.
    assert not Case.objects.restrict(lead_a, "view").exists()


def test_only_a_ta_member_can_sit_on_a_team(world, team_a, lead_a, teacher_a, member_b):
    for user in (teacher_a, member_b):
        with pytest.raises(actions.ThreatError, match="does not hold the threat-assessment team member role") as exc:
            actions.do_add_team_member(lead_a, team_a, user, "other")
        assert exc.value.field == "user"
    with pytest.raises(actions.ThreatError) as exc:
        actions.do_add_team_member(lead_a, team_a, make_person("x", "ta_member", world.school_a, "school"), "wizard")
    assert exc.value.field == "team_role"


def test_only_the_lead_and_those_in_charge_manage_the_roster(world, team_a, lead_a, officer_a, principal_a, director_b):
    newcomer = make_person("newcomer", "ta_member", world.school_a, "school")
    for user in (officer_a, director_b):
        with pytest.raises(actions.NotFound):
            actions.do_add_team_member(user, team_a, newcomer, "other")
    member = actions.do_add_team_member(principal_a, team_a, newcomer, "other", is_lead=True)
    assert member.is_lead and not TeamMember.objects.get(user=lead_a).is_lead


def test_disclosures_are_logged_with_their_legal_basis(case_a, lead_a):
    disclosure = actions.do_record_disclosure(
        lead_a, case_a, recipients="Juvenile court", legal_basis="court_order", basis_detail="Subpoena 25-113",
        information="Full case record", disclosed_at=timezone.now())
    assert disclosure.case == case_a and disclosure.disclosed_by == lead_a
    with pytest.raises(actions.ThreatError) as exc:
        actions.do_record_disclosure(lead_a, case_a, recipients="x", legal_basis="because", information="y")
    assert exc.value.field == "legal_basis"
