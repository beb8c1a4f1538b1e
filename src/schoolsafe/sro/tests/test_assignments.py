"""Assignments: who may post whom, bad input refused naming the field (API and page) with nothing written, the
school membership that comes and goes with a sworn posting, and who sees assignments at all."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from schoolsafe.accounts.models import Membership
from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.errors import ActionError
from schoolsafe.sro import actions
from schoolsafe.sro.models import Assignment, ScheduleBlock
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db

START = dt.date(2026, 8, 10)


def body(world, person, **extra):
    return {"person": person.pk, "school": world.school_a.pk, "agency": world.agency_a.pk, "kind": "sro",
            "start_date": str(START), **extra}


def post(client, data):
    return client.post("/api/v1/sro/assignments", json.dumps(data), content_type="application/json")


def nothing_written():
    return not Assignment.objects.exists() and not ScheduleBlock.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="sro.").exists()


OVERLAPPING = [{"weekday": 1, "starts": "07:30", "ends": "11:00"}, {"weekday": 1, "starts": "10:00", "ends": "14:30"}]
BACKWARDS = [{"weekday": 2, "starts": "14:00", "ends": "09:00"}]


@pytest.mark.parametrize(("change", "field"), [
    ({"schedule": OVERLAPPING}, "schedule"),
    ({"schedule": BACKWARDS}, "schedule"),
    ({"end_date": "2026-08-01"}, "end_date"),
    ({"school": 999999}, "school"),
])
def test_bad_input_through_the_api_names_the_field_and_writes_nothing(world, supervisor_a, officer_a, schedule,
                                                                       change, field):
    answer = post(client_for(supervisor_a), body(world, officer_a, **{"schedule": schedule, **change}))
    assert answer.status_code == 400, answer.content
    assert answer.json()["detail"].startswith(f"{field}: ")
    assert nothing_written()


def page_form(world, person, schedule_text, **extra):
    return {"person": person.pk, "school": world.school_a.pk, "agency": world.agency_a.pk, "kind": "sro",
            "start_date": str(START), "end_date": "", "role": "primary", "supervisor": "",
            "schedule": schedule_text, **extra}


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"schedule": "Tue 07:30-11:00\nTue 10:00-14:30"}, "schedule", "two blocks on Tue overlap"),
    ({"schedule": "Wed 14:00-09:00"}, "schedule", "ends (09:00) before it starts"),
    ({"end_date": "2026-08-01"}, "end_date", "is before the start date"),
    ({"school": "999999"}, "school", "Select a valid choice"),
])
def test_bad_input_through_the_page_form_names_the_field_and_writes_nothing(world, supervisor_a, officer_a, change,
                                                                             field, words):
    answer = client_for(supervisor_a).post("/sro/assignments/new/", page_form(world, officer_a, "Mon 07:00-15:00",
                                                                              **change))
    assert answer.status_code == 400
    form = answer.context["form"]
    assert any(words in e for e in form.errors[field]), form.errors
    # The error is beside its field on the page, which the error summary links to.
    assert f'id="id_{field}"' in answer.content.decode()
    assert nothing_written()


def test_a_supervisor_posts_an_officer_who_gets_the_school_and_loses_it_when_the_posting_ends(
        world, supervisor_a, officer_a, schedule):
    answer = post(client_for(supervisor_a), body(world, officer_a, schedule=schedule, supervisor=supervisor_a.pk))
    assert answer.status_code == 201, answer.content
    made = answer.json()
    assert [b["weekday"] for b in made["schedule"]] == [0, 1, 2, 3, 4]
    assert Membership.objects.filter(user=officer_a, role="officer", school=world.school_a).exists()
    assert AuditEntry.objects.filter(action="sro.grant_school_membership").count() == 1
    assert AuditEntry.objects.filter(action="sro.create_assignment", object_id=str(made["id"])).exists()

    ended = client_for(supervisor_a).post(f"/api/v1/sro/assignments/{made['id']}/end", "{}",
                                          content_type="application/json")
    assert ended.status_code == 200, ended.content
    assert ended.json()["end_date"] is not None
    assert not Membership.objects.filter(user=officer_a, role="officer", school=world.school_a).exists()
    assert AuditEntry.objects.filter(action="sro.revoke_school_membership").count() == 1


def test_ending_a_posting_keeps_a_membership_the_posting_did_not_grant(world, supervisor_a, officer_a, schedule):
    Membership.objects.create(user=officer_a, role="officer", school=world.school_a)
    assignment = actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a,
                                              agency=world.agency_a, start_date=START, schedule=schedule)
    actions.do_end_assignment(supervisor_a, assignment)
    assert Membership.objects.filter(user=officer_a, role="officer", school=world.school_a).exists()


def test_an_sro_must_be_an_officer_of_a_serving_agency_and_a_guardian_a_person_of_the_school(
        world, supervisor_a, officer_b, teacher_a, schedule):
    with pytest.raises(ActionError) as refused:
        actions.do_create_assignment(supervisor_a, person=officer_b, school=world.school_a, agency=world.agency_a,
                                     start_date=START, schedule=schedule)
    assert refused.value.field == "person"
    with pytest.raises(ActionError) as refused:
        actions.do_create_assignment(supervisor_a, person=teacher_a, school=world.school_a, agency=world.agency_a,
                                     start_date=START)
    assert refused.value.field == "person"
    # A teacher of the school may be its guardian (s. 30.15, Florida Statutes); no officer membership follows.
    guardian = actions.do_create_assignment(supervisor_a, person=teacher_a, school=world.school_a,
                                            agency=world.agency_a, kind="guardian", start_date=START)
    assert guardian.kind == "guardian"
    assert not Membership.objects.filter(user=teacher_a, role="officer").exists()
    # Agency A does not serve school B.
    with pytest.raises(ActionError) as refused:
        actions.do_create_assignment(supervisor_a, person=officer_b, school=world.school_b, agency=world.agency_a,
                                     start_date=START)
    assert refused.value.field == "agency"


def test_the_change_form_refuses_an_overlap_and_keeps_the_schedule(world, supervisor_a, officer_a, schedule):
    assignment = actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a,
                                              agency=world.agency_a, start_date=START, schedule=schedule)
    client = client_for(supervisor_a)
    answer = client.post(f"/sro/assignments/{assignment.pk}/change/", {
        "kind": "sro", "start_date": str(START), "end_date": "", "role": "relief", "supervisor": "",
        "schedule": "Mon 07:00-12:00\nMon 11:00-15:00"})
    assert answer.status_code == 400
    assert "two blocks on Mon overlap" in answer.context["form"].errors["schedule"][0]
    assignment.refresh_from_db()
    assert assignment.role == "primary" and assignment.blocks.count() == 5
    answer = client.patch(f"/api/v1/sro/assignments/{assignment.pk}",
                          json.dumps({"end_date": "2026-01-01"}), content_type="application/json")
    assert answer.status_code == 400 and answer.json()["detail"].startswith("end_date: ")
    answer = client.post(f"/sro/assignments/{assignment.pk}/change/", {
        "kind": "sro", "start_date": str(START), "end_date": "", "role": "relief", "supervisor": "",
        "schedule": "Mon 07:00-12:00"})
    assert answer.status_code == 302
    assignment.refresh_from_db()
    assert assignment.role == "relief" and [str(b) for b in assignment.blocks.all()] == ["Mon 07:00–12:00"]


def test_a_teacher_of_another_school_and_an_outsider_cannot_see_assignments(
        world, supervisor_a, officer_a, schedule, teacher_b, teacher_a, outsider, principal_a, director_a, dispatcher,
        director_b):
    assignment = actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a,
                                              agency=world.agency_a, start_date=START, schedule=schedule)
    for user in (teacher_b, teacher_a, outsider, director_b):
        client = client_for(user)
        assert client.get(f"/sro/assignments/{assignment.pk}/").status_code == 404, user
        assert client.get(f"/api/v1/sro/assignments/{assignment.pk}").status_code == 404, user
        if user is director_b:
            # Another district's director has the board of their own schools, without this posting.
            assert "Officer A" not in client.get("/sro/assignments/").content.decode()
            assert "Officer A" not in client.get("/sro/coverage/").content.decode()
            assert client.get("/api/v1/sro/assignments").json() == []
        else:
            assert client.get("/sro/assignments/").status_code == 404, user
            assert client.get("/sro/coverage/").status_code == 404, user
            assert client.get("/api/v1/sro/assignments").status_code == 404, user
        assert client.patch(f"/api/v1/sro/assignments/{assignment.pk}", "{}",
                            content_type="application/json").status_code == 404, user
    for user in (principal_a, director_a, dispatcher, officer_a):
        assert client_for(user).get(f"/sro/assignments/{assignment.pk}/").status_code == 200, user
        # They see it, but only the agency's leads change it.
        assert client_for(user).post(f"/api/v1/sro/assignments/{assignment.pk}/end", "{}",
                                     content_type="application/json").status_code == 403, user


def test_the_leads_of_another_agency_may_not_change_a_posting(world, supervisor_a, officer_a, schedule):
    assignment = actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a,
                                              agency=world.agency_a, start_date=START, schedule=schedule)
    # Agency B's sergeant, whose agency also serves school A.
    world.school_a.agencies.add(world.agency_b)
    sergeant_b = make_person("sergeant_b", "police_supervisor", world.agency_b, "agency")
    client = client_for(sergeant_b)
    assert client.get(f"/api/v1/sro/assignments/{assignment.pk}").status_code == 200
    assert client.patch(f"/api/v1/sro/assignments/{assignment.pk}", json.dumps({"role": "relief"}),
                        content_type="application/json").status_code == 403
