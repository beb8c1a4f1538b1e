"""Nobody reads the clinical notes by relabelling their own seat. Nobody seats or
relabels themselves; the mental-health seat needs a counsellor, psychologist or social worker role; every
roster change is audited and shown to the team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import MembershipFactory
from schoolsafe.testing.personas import client_for, make_person
from schoolsafe.threats import actions
from schoolsafe.threats.models import TeamMember
from schoolsafe.threats.tests.conftest import intake

CLINICAL = "Clinical: history of self-harm, seen weekly since October."


@pytest.fixture
def case_a(team_a, lead_a, clinician_a, teacher_a, world):
    case = actions.do_refer_concern(teacher_a, world.school_a, **intake())
    actions.do_add_note(clinician_a, case, text=CLINICAL, clinical=True)
    return case


def test_25_6_a_principal_cannot_remove_his_seat_and_come_back_as_mental_health(team_a, lead_a, case_a):
    client = client_for(lead_a)
    case_url = reverse("threats:case", args=[case_a.pk])
    assert CLINICAL not in client.get(case_url).content.decode()
    # The attack as it was run: leave the team, then re-add oneself as its mental-health member.
    seat = TeamMember.objects.get(team=team_a, user=lead_a, removed_at__isnull=True)
    response = client.post(reverse("threats:team-member", args=[team_a.pk, seat.pk, "remove"]))
    assert response.status_code == 302
    response = client.post(reverse("threats:team", args=[team_a.pk]), {"user": lead_a.pk, "team_role": "mental_health"})
    assert response.status_code == 400
    assert "You cannot add yourself to the team" in response.content.decode()
    assert not TeamMember.objects.filter(team=team_a, user=lead_a, removed_at__isnull=True).exists()
    assert client.get(case_url).status_code == 404
    # Not as another discipline either.
    with pytest.raises(actions.ThreatError, match="cannot add yourself"):
        actions.do_add_team_member(lead_a, team_a, lead_a, "administrator")


def test_25_6_a_member_cannot_make_themselves_lead(world, team_a, lead_a, officer_a):
    seat = TeamMember.objects.get(team=team_a, user=officer_a)
    # officer_a does not manage the roster; a principal who is a plain member does, but not their own seat.
    principal = make_person("vice_principal", "ta_member", world.school_a, "school")
    MembershipFactory(user=principal, role="school_admin", school=world.school_a)
    own = actions.do_add_team_member(lead_a, team_a, principal, "administrator")
    with pytest.raises(actions.ThreatError, match="change your own seat"):
        actions.do_set_team_lead(principal, own)
    assert actions.do_set_team_lead(principal, seat).is_lead


def test_25_6_the_mental_health_seat_needs_a_counsellor_psychologist_or_social_worker_role(world, team_a, lead_a):
    teacher = make_person("ta_teacher", "ta_member", world.school_a, "school")
    with pytest.raises(actions.ThreatError, match="counsellor, psychologist or social worker") as exc:
        actions.do_add_team_member(lead_a, team_a, teacher, "mental_health")
    assert exc.value.field == "team_role"
    psychologist = make_person("psychologist", "ta_member", world.school_a, "school")
    MembershipFactory(user=psychologist, role="clinician", school=world.school_a)
    assert actions.do_add_team_member(lead_a, team_a, psychologist, "mental_health").team_role == "mental_health"


def test_25_6_the_district_coordinator_may_seat_a_member_and_every_change_is_shown_to_the_team(
        world, team_a, lead_a, clinician_a, coordinator_a):
    newcomer = make_person("newcomer", "ta_member", world.school_a, "school")
    MembershipFactory(user=newcomer, role="clinician", district=world.district_a)
    member = actions.do_add_team_member(coordinator_a, team_a, newcomer, "mental_health")
    actions.do_remove_team_member(lead_a, member)
    audited = list(AuditEntry.objects.filter(object_type="threats.teammember", object_id=str(member.pk))
                   .values_list("action", "actor_name"))
    assert audited == [("threats.member_added", "coordinator_a"), ("threats.member_removed", "lead_a")]
    page = client_for(clinician_a).get(reverse("threats:team", args=[team_a.pk])).content.decode()
    assert "Roster changes" in page
    assert "coordinator_a added newcomer (Mental-health professional)" in page
    assert "lead_a removed newcomer" in page
