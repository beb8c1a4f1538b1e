"""The analysts' pages: queue by urgency, one tip, claim, ask, note, flag, route, close; phone tips."""

from __future__ import annotations

from django.test import Client

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.personas import client_for, make_person
from schoolsafe.tips.models import Tip
from schoolsafe.tips.tests.factories import TipFactory


def test_the_queue_puts_urgent_tips_first_with_their_reasons(world, analyst_a):
    calm = TipFactory(school=world.school_a, what="Vaping in the bathroom.")
    urgent = TipFactory(school=world.school_a2, urgent=True, urgency_score=150,
                        urgency_reasons=[{"rule": "weapon_words", "reason": "Mentions a weapon", "match": "gun"}])
    TipFactory(school=world.school_b)  # the other district's: not in this queue
    page = client_for(analyst_a).get("/tips/").content.decode()
    assert page.index(urgent.code) < page.index(calm.code)
    assert "URGENT" in page and "Mentions a weapon: “gun”" in page
    assert Tip.objects.filter(school=world.school_b).get().code not in page


def test_a_tip_is_invisible_to_those_it_does_not_concern(world, teacher_a, analyst_b, principal_a, dispatcher):
    tip = TipFactory(school=world.school_a)
    for user in (teacher_a, analyst_b, principal_a, dispatcher):
        client = client_for(user)
        assert client.get(f"/tips/{tip.pk}/").status_code == 404, user
        assert client.post(f"/tips/{tip.pk}/claim/").status_code == 404, user
    assert Client().get(f"/tips/{tip.pk}/").status_code == 302  # to sign in


def test_an_analyst_claims_asks_notes_flags_and_closes_with_an_outcome(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    client = client_for(analyst_a)
    page = client.get(f"/tips/{tip.pk}/").content.decode()
    assert tip.what in page
    assert AuditEntry.objects.filter(action="tips.read_tip", actor=analyst_a, object_id=str(tip.pk)).count() == 1
    client.post(f"/tips/{tip.pk}/claim/")
    client.post(f"/tips/{tip.pk}/message/", {"body": "Can you tell us which class?"})
    client.post(f"/tips/{tip.pk}/note/", {"body": "Same student as last month."})
    client.post(f"/tips/{tip.pk}/flag/")
    tip.refresh_from_db()
    assert tip.claimed_by == analyst_a and tip.status == "in_review" and tip.possibly_malicious
    assert tip.first_action_at is not None
    refused = client.post(f"/tips/{tip.pk}/close/", {"outcome": ""}, follow=True)
    assert "Choose the outcome" in refused.content.decode()
    tip.refresh_from_db()
    assert tip.status == "in_review"
    client.post(f"/tips/{tip.pk}/close/", {"outcome": "counselling", "note": "Met the counsellor."})
    tip.refresh_from_db()
    assert tip.status == "closed" and tip.outcome == "counselling" and tip.closed_by == analyst_a
    actions = set(AuditEntry.objects.filter(object_type="tips.tip", object_id=str(tip.pk)).values_list("action", flat=True))
    assert actions >= {"tips.claim_tip", "tips.message_tipster", "tips.add_note", "tips.flag_tip", "tips.close_tip"}


def test_an_analyst_assigns_to_another_analyst_of_the_tip(world, analyst_a, analyst_agency, analyst_b):
    tip = TipFactory(school=world.school_a)
    client = client_for(analyst_a)
    page = client.get(f"/tips/{tip.pk}/").content.decode()
    assert "Analyst Agency" in page and "Analyst B" not in page
    client.post(f"/tips/{tip.pk}/assign/", {"assignee": analyst_agency.pk})
    tip.refresh_from_db()
    assert tip.claimed_by == analyst_agency
    refused = client.post(f"/tips/{tip.pk}/assign/", {"assignee": analyst_b.pk}, follow=True)
    assert "Assign to" in refused.content.decode()
    tip.refresh_from_db()
    assert tip.claimed_by == analyst_agency


def test_routing_lets_the_school_police_and_team_read_the_tip(world, analyst_a, principal_a, dispatcher):
    from schoolsafe.threats.models import Case, Team

    Team.objects.create(name="School A High team", school=world.school_a, district=world.district_a)
    tip = TipFactory(school=world.school_a, when_text="Friday", who_text="a junior")
    ta_member = make_person("ta_a", "ta_member", world.school_a, "school")
    client = client_for(analyst_a)
    for destination, reader in (("school", principal_a), ("police", dispatcher), ("threat_assessment", ta_member)):
        assert client_for(reader).get(f"/tips/{tip.pk}/").status_code == 404
        client.post(f"/tips/{tip.pk}/route/", {"destination": destination, "note": "please act"})
        reader_page = client_for(reader).get(f"/tips/{tip.pk}/")
        assert reader_page.status_code == 200 and tip.what in reader_page.content.decode()
        # Reading is not triaging: the reader sees the tip, so is refused (403), not told it is missing.
        assert client_for(reader).post(f"/tips/{tip.pk}/claim/").status_code == 403
    assert set(tip.routes.values_list("destination", flat=True)) == {"school", "police", "threat_assessment"}
    # Routing to the team opened its threat-assessment case, which refers to the tip, not to the tipster's code.
    case = Case.objects.get(tip_reference=f"tip-{tip.pk}")
    assert case.school_id == world.school_a.pk and tip.code not in str(case.__dict__)
    route = AuditEntry.objects.get(action="tips.route_tip", summary__destination="threat_assessment")
    assert route.summary["threat_case"] == case.pk


def test_routing_to_a_team_that_does_not_exist_is_refused_and_says_why(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    page = client_for(analyst_a).post(f"/tips/{tip.pk}/route/", {"destination": "threat_assessment"}, follow=True)
    assert "No threat-assessment team serves School A High" in page.content.decode()
    assert not tip.routes.exists()


def test_an_analyst_enters_a_phone_tip(world, analyst_a):
    client = client_for(analyst_a)
    page = client.get("/tips/phone/").content.decode()
    assert "School A High" in page and "School B High" not in page
    response = client.post("/tips/phone/", {"category": "self_harm", "school": world.school_a.pk,
                                            "what": "Caller says her friend wants to end her life tonight",
                                            "language": "es"})
    assert response.status_code == 201
    tip = Tip.objects.get()
    assert tip.source == "phone" and tip.entered_by == analyst_a and tip.language == "es" and tip.urgent
    assert tip.code in response.content.decode()
    other_district = client.post("/tips/phone/", {"category": "other", "school": world.school_b.pk, "what": "x",
                                                  "language": "en"})
    assert other_district.status_code == 422 and Tip.objects.count() == 1


def test_phone_entry_is_for_analysts_only(world, principal_a):
    assert client_for(principal_a).get("/tips/phone/").status_code == 404


def test_a_school_that_leaves_the_registry_leaves_its_tips_with_the_district(world, analyst_a):
    tip = TipFactory(school=world.school_a2)
    world.school_a2.delete()
    tip.refresh_from_db()
    assert tip.school is None and tip.district == world.district_a
    page = client_for(analyst_a).get(f"/tips/{tip.pk}/")
    assert page.status_code == 200 and "(school removed)" in page.content.decode()
