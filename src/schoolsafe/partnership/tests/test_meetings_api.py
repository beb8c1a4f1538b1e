"""The meetings and action-items API: anonymous callers get 401, people outside the partnership 404, those who
see but may not change 403, and bad input a 4xx naming the field with nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from icalendar import Calendar

from schoolsafe.audit.models import AuditEntry
from schoolsafe.notifications.models import WorkerMail
from schoolsafe.partnership.ical import meeting_uid
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.tests.meetings_cast import next_week
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


def post(client, url, body, method="post"):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(body, default=str), content_type="application/json")


@pytest.fixture
def item(meeting, director, officer_a, world):
    from schoolsafe.partnership.actions import do_create_action_item

    return do_create_action_item(director, title="Send the coverage schedule", owner=officer_a,
                                 organization=world.agency_a, due_on=timezone.localdate() + dt.timedelta(days=10),
                                 meeting=meeting)


def urls(meeting, item):
    base = "/api/v1/partnership"
    return [("get", f"{base}/meetings/{meeting.pk}"), ("get", f"{base}/meetings/{meeting.pk}/invitation.ics"),
            ("get", f"{base}/action-items/{item.pk}"), ("patch", f"{base}/meetings/{meeting.pk}"),
            ("post", f"{base}/meetings/{meeting.pk}/cancel"), ("post", f"{base}/meetings/{meeting.pk}/minutes"),
            ("patch", f"{base}/action-items/{item.pk}"), ("post", f"{base}/action-items/{item.pk}/complete")]


def test_anonymous_callers_get_401(client, meeting, item):
    for method, url in [*urls(meeting, item), ("get", "/api/v1/partnership/meetings"),
                        ("post", "/api/v1/partnership/meetings"), ("get", "/api/v1/partnership/action-items"),
                        ("get", "/api/v1/partnership/action-items/overdue"),
                        ("post", "/api/v1/partnership/action-items")]:
        assert post(client, url, {}, method).status_code == 401, url


@pytest.mark.parametrize("who", ["teacher_a", "director_b", "outsider", "dispatcher_b", "sro_a"])
def test_people_outside_the_partnership_get_404(request, who, meeting, item):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/api/v1/partnership/meetings").json() == []
    assert client.get("/api/v1/partnership/action-items").json() == []
    for method, url in urls(meeting, item):
        body = {"minutes": "x", "evidence": "x", "title": "x"}
        assert post(client, url, body, method).status_code == 404, (who, url)
    assert JointMeeting.objects.get(pk=meeting.pk).title == "Quarterly partnership meeting"


def test_an_attendee_sees_but_may_not_change(meeting, principal, officer_a):
    # Officer Reyes attends (police side, no lead role); the principal of the meeting's school leads.
    client = client_for(officer_a)
    body = client.get(f"/api/v1/partnership/meetings/{meeting.pk}").json()
    assert body["title"] == "Quarterly partnership meeting"
    assert {a["name"] for a in body["attendees"]} == {"Officer Marcus Reyes", "Janet Moore", "Dr. Renee Castillo"}
    response = post(client, f"/api/v1/partnership/meetings/{meeting.pk}", {"title": "x"}, "patch")
    assert response.status_code == 403
    assert post(client_for(principal), f"/api/v1/partnership/meetings/{meeting.pk}", {"location": "Library"},
                "patch").json()["sequence"] == 1


def test_the_ics_download_parses(meeting, officer_a):
    response = client_for(officer_a).get(f"/api/v1/partnership/meetings/{meeting.pk}/invitation.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == meeting_uid(meeting)


def test_a_lead_schedules_changes_records_and_cancels(world, agency_admin_a, officer_a, director):
    client = client_for(agency_admin_a)
    body = {"kind": "drill_planning", "agency_id": world.agency_a.pk, "district_id": world.district_a.pk,
            "school_id": world.school_a.pk, "title": "Lockdown drill planning",
            "starts_at": next_week().isoformat(), "ends_at": next_week(1).isoformat(),
            "attendee_ids": [officer_a.pk, director.pk]}
    created = post(client, "/api/v1/partnership/meetings", body)
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert WorkerMail.objects.filter(purpose="partnership.meeting_invitation").count() == 2
    changed = post(client, f"/api/v1/partnership/meetings/{meeting_id}", {"agenda": "Door checks"}, "patch")
    assert changed.json()["agenda"] == "Door checks" and changed.json()["sequence"] == 1
    early = post(client, f"/api/v1/partnership/meetings/{meeting_id}/minutes", {"minutes": "x"})
    assert early.status_code == 409
    cancelled = post(client, f"/api/v1/partnership/meetings/{meeting_id}/cancel", {"reason": "Moved"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 2


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"ends_at": next_week(-2).isoformat()}, "ends_at", 400),
    ({"agency_id": 99999}, "agency", 400),
    ({"district_id": 99999}, "district", 400),
    ({"school_id": 99999}, "school", 400),
    ({"attendee_ids": "stranger"}, "attendees", 400),
    ({"attendee_ids": [99999]}, "attendees", 400),
    ({"starts_at": "next tuesday"}, "starts_at", 422),
])
def test_bad_input_names_the_field_and_writes_nothing(world, agency_admin_a, officer_a, director, outsider,
                                                      change, field, status):
    body = {"agency_id": world.agency_a.pk, "district_id": world.district_a.pk, "title": "Drill planning",
            "starts_at": next_week().isoformat(), "ends_at": next_week(1).isoformat(),
            "attendee_ids": [officer_a.pk, director.pk]}
    if change.get("attendee_ids") == "stranger":
        change = {"attendee_ids": [officer_a.pk, director.pk, outsider.pk]}
    response = post(client_for(agency_admin_a), "/api/v1/partnership/meetings", body | change)
    assert response.status_code == status, response.content
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not JointMeeting.objects.exists() and not WorkerMail.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="partnership.").exists()


def test_action_items_created_updated_by_the_owner_and_completed_with_evidence(world, meeting, director, officer_a):
    lead = client_for(director)
    created = post(lead, "/api/v1/partnership/action-items", {
        "meeting_id": meeting.pk, "title": "Share the drill calendar", "owner_id": officer_a.pk,
        "organization": f"agency:{world.agency_a.pk}", "due_on": str(timezone.localdate() + dt.timedelta(days=5))})
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    owner = client_for(officer_a)
    url = f"/api/v1/partnership/action-items/{item_id}"
    assert post(owner, url, {"status": "in_progress"}, "patch").json()["status"] == "in_progress"
    refused = post(owner, url, {"due_on": "2030-01-01"}, "patch")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("due_on:")
    no_evidence = post(owner, f"{url}/complete", {})
    assert no_evidence.status_code == 422 and no_evidence.json()["detail"].startswith("evidence:")
    assert post(owner, url, {"status": "done"}, "patch").status_code == 422
    done = post(owner, f"{url}/complete", {"evidence_url": "https://example.org/drill-calendar.pdf"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completed_at"]
    history = list(AuditEntry.objects.filter(object_type="partnership.actionitem", object_id=str(item_id))
                   .values_list("action", flat=True))
    assert history == ["partnership.create_action_item", "partnership.update_action_item",
                       "partnership.update_action_item"]


@pytest.mark.parametrize(("change", "field"), [
    ({"organization": "agency:99999"}, "organization"),
    ({"organization": "planet:1"}, "organization"),
    ({"owner_id": 99999}, "owner"),
    ({"title": ""}, "title"),
])
def test_bad_action_items_name_the_field(world, meeting, director, officer_a, change, field):
    body = {"meeting_id": meeting.pk, "title": "x", "owner_id": officer_a.pk,
            "organization": f"agency:{world.agency_a.pk}", "due_on": "2030-01-01"}
    response = post(client_for(director), "/api/v1/partnership/action-items", body | change)
    assert 400 <= response.status_code < 500 and response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not ActionItem.objects.exists()


def test_the_owner_must_belong_to_the_organization(world, meeting, director, officer_a):
    body = {"meeting_id": meeting.pk, "title": "x", "owner_id": officer_a.pk,
            "organization": f"school:{world.school_a.pk}", "due_on": "2030-01-01"}
    response = post(client_for(director), "/api/v1/partnership/action-items", body)
    assert response.status_code == 400 and response.json()["detail"].startswith("owner:")


def test_the_overdue_list(world, item, director, officer_a, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(days=12))
    overdue = client_for(director).get("/api/v1/partnership/action-items/overdue").json()
    assert [i["id"] for i in overdue] == [item.pk] and overdue[0]["overdue"] is True
    assert client_for(officer_a).get("/api/v1/partnership/action-items/overdue").json()[0]["id"] == item.pk
