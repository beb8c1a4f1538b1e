"""The audit page shows a row about a threat case, a clinical note or a tip only to a
reader who may see that object by its own policy."""

from __future__ import annotations

import pytest

from schoolsafe.audit.log import record
from schoolsafe.testing.factories import MembershipFactory, UserFactory
from schoolsafe.testing.personas import client_for, make_person
from schoolsafe.threats import actions as threat_actions
from schoolsafe.threats.models import Team, TeamMember
from schoolsafe.threats.tests.conftest import intake
from schoolsafe.tips.tests.factories import TipFactory

URL = "/audit/"


@pytest.fixture
def history(world):
    """School A's team opens a case and its counsellor writes a clinical note; a tip about school A arrives;
    an alert is raised at school A."""
    team = Team.objects.create(name="School A team", school=world.school_a, district=world.district_a)
    lead = make_person("lead_a", "ta_member", world.school_a, "school")
    counsellor = make_person("counsellor_a", "ta_member", world.school_a, "school")
    TeamMember.objects.create(team=team, user=lead, team_role="administrator", is_lead=True)
    TeamMember.objects.create(team=team, user=counsellor, team_role="mental_health")
    case = threat_actions.do_open_case(lead, team, **intake())
    note = threat_actions.do_add_note(counsellor, case, text="Sessions since October.", clinical=True)
    tip = TipFactory(school=world.school_a, code="SECRET-7Q2X")
    record("tipster", "tips.submit_tip", tip, organization=f"school:{world.school_a.pk}",
           summary={"category": tip.category})
    alert = record("system", "alerts.raise_alert", organization=f"school:{world.school_a.pk}",
                   object_type="alerts.alert", object_id="7")
    return {"case": case, "note": note, "tip": tip, "alert": alert}


def shown(response) -> list:
    return [entry for entry, _name in response.context["rows"]]


def test_25_4_audit_page_hides_threat_cases_clinical_notes_and_tips_from_a_director_who_cannot_see_them(
        director_a, history):
    # The director gets 404 on the case; the audit page must not tell them about it either.
    response = client_for(director_a).get(URL)
    assert response.status_code == 200
    rows = shown(response)
    assert history["alert"].pk in {entry.pk for entry in rows}
    assert not [entry for entry in rows if entry.object_type.startswith(("threats.case", "threats.note", "tips."))]
    html = response.content.decode()
    assert history["case"].number not in html
    assert "counsellor_a" not in html and "lead_a" not in html
    assert "clinical" not in html
    assert "SECRET-7Q2X" not in html
    # Searching for them finds nothing either.
    search = client_for(director_a).get(URL, {"object_type": "threats.case"})
    assert shown(search) == []


def test_25_4_a_platform_administrator_does_not_see_need_to_know_rows_either(history):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    html = client_for(superuser).get(URL).content.decode()
    assert history["case"].number not in html and "SECRET-7Q2X" not in html


def test_25_4_a_reader_who_may_see_the_object_still_sees_its_rows(world, director_a, history):
    # The director is also the district's threat-assessment coordinator and a tip analyst: they see the
    # case and the tip, and their rows; the clinical note stays with the mental-health members.
    MembershipFactory(user=director_a, role="ta_member", district=world.district_a)
    MembershipFactory(user=director_a, role="tip_analyst", district=world.district_a)
    rows = shown(client_for(director_a).get(URL))
    kinds = {(entry.object_type, entry.object_id) for entry in rows}
    assert ("threats.case", str(history["case"].pk)) in kinds
    assert ("tips.tip", str(history["tip"].pk)) in kinds
    assert ("threats.note", str(history["note"].pk)) not in kinds
