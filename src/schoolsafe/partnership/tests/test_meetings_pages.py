"""The meeting and action-item pages: the people of the partnership use them, everyone else gets 404; forms
show a refusal beside its field and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from schoolsafe.notifications.models import WorkerMail
from schoolsafe.partnership.actions import do_create_action_item
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.tests.meetings_cast import next_week
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


def form_time(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def items(world, meeting, director, officer_a, principal):
    today = timezone.localdate()
    late = do_create_action_item(director, title="Send the drill calendar", owner=principal,
                                 organization=world.school_a, due_on=today - dt.timedelta(days=10), meeting=meeting)
    later = do_create_action_item(director, title="Renew the radio MOU", owner=officer_a,
                                  organization=world.agency_a, due_on=today - dt.timedelta(days=2), meeting=meeting)
    soon = do_create_action_item(director, title="Share the coverage board", owner=officer_a,
                                 organization=world.agency_a, due_on=today + dt.timedelta(days=2), meeting=meeting)
    return late, later, soon


def test_a_lead_schedules_a_meeting_from_the_form(world, agency_admin_a, officer_a, director):
    client = client_for(agency_admin_a)
    page = client.get("/partnership/meetings/new/")
    assert page.status_code == 200 and "Officer Marcus Reyes" in page.content.decode()
    response = client.post("/partnership/meetings/new/", {
        "kind": "after_action", "title": "After-action review: fire drill", "agency": world.agency_a.pk,
        "district": world.district_a.pk, "school": world.school_a.pk, "starts_at": form_time(next_week()),
        "ends_at": form_time(next_week(1)), "location": "Library", "agenda": "What worked",
        "attendees": [officer_a.pk, director.pk]})
    meeting = JointMeeting.objects.get(title="After-action review: fire drill")
    assert response.status_code == 302 and response["Location"] == f"/partnership/meetings/{meeting.pk}/"
    assert WorkerMail.objects.filter(purpose="partnership.meeting_invitation").count() == 2


def test_end_before_start_is_shown_beside_the_field_and_nothing_is_written(world, agency_admin_a, officer_a, director):
    response = client_for(agency_admin_a).post("/partnership/meetings/new/", {
        "kind": "quarterly", "title": "Quarterly", "agency": world.agency_a.pk, "district": world.district_a.pk,
        "starts_at": form_time(next_week(2)), "ends_at": form_time(next_week()), "attendees": [officer_a.pk, director.pk]})
    assert response.status_code == 400
    assert "ends_at" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not JointMeeting.objects.exists() and not WorkerMail.objects.exists()


def test_the_meeting_page_shows_everything_and_the_ics_parses(meeting, items, officer_a):
    client = client_for(officer_a)
    page = client.get(f"/partnership/meetings/{meeting.pk}/").content.decode()
    for text in ("Quarterly partnership meeting", "2. MOU review", "Janet Moore", "Send the drill calendar",
                 f"/partnership/meetings/{meeting.pk}/invitation.ics"):
        assert text in page
    assert "Change</a>" not in page  # an attendee, not a lead
    ics = client.get(f"/partnership/meetings/{meeting.pk}/invitation.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(ics.content)["METHOD"] == "REQUEST"


@pytest.mark.parametrize("who", ["teacher_a", "director_b", "outsider", "dispatcher_b"])
def test_people_outside_the_partnership_get_404(request, who, meeting, items):
    client = client_for(request.getfixturevalue(who))
    for url in (f"/partnership/meetings/{meeting.pk}/", f"/partnership/meetings/{meeting.pk}/invitation.ics",
                f"/partnership/meetings/{meeting.pk}/edit/", f"/partnership/action-items/{items[0].pk}/"):
        assert client.get(url).status_code == 404, (who, url)
    assert "Send the drill calendar" not in client.get("/partnership/action-items/overdue/").content.decode()
    assert "Quarterly partnership meeting" not in client.get("/partnership/meetings/").content.decode()


def test_the_overdue_list_is_by_organization_oldest_first(director, items):
    page = client_for(director).get("/partnership/action-items/overdue/").content.decode()
    assert "Share the coverage board" not in page  # not yet due
    assert page.index("Agency A Police") < page.index("Renew the radio MOU")
    assert page.index("School A High") < page.index("Send the drill calendar")
    assert "Overdue by" in page


def test_the_owner_marks_an_item_done_only_with_evidence(items, principal):
    item = items[0]
    client = client_for(principal)
    refused = client.post(f"/partnership/action-items/{item.pk}/", {"status": "done", "evidence": ""})
    assert refused.status_code == 400 and "evidence" in refused.context["form"].errors
    assert ActionItem.objects.get(pk=item.pk).status == "open"
    done = client.post(f"/partnership/action-items/{item.pk}/", {"status": "done", "evidence": "Sent on Monday"})
    assert done.status_code == 302
    page = client.get(f"/partnership/action-items/{item.pk}/").content.decode()
    assert "Done" in page and "Sent on Monday" in page and "updated it" in page


def test_a_lead_adds_an_action_item_and_records_minutes(world, meeting, director, officer_a, time_machine):
    client = client_for(director)
    response = client.post(f"/partnership/meetings/{meeting.pk}/action-items/new/", {
        "title": "Update the relief roster", "organization": f"agency:{world.agency_a.pk}", "owner": officer_a.pk,
        "due_on": str(timezone.localdate() + dt.timedelta(days=20))})
    assert response.status_code == 302 and ActionItem.objects.filter(title="Update the relief roster").exists()
    time_machine.move_to(meeting.starts_at + dt.timedelta(hours=1))
    client = client_for(director)  # a week on: a new session
    response = client.post(f"/partnership/meetings/{meeting.pk}/minutes/",
                           {"minutes": "Coverage reviewed.", "decisions": "Add a relief SRO\nMeet in June"})
    assert response.status_code == 302 and response["Location"] == f"/partnership/meetings/{meeting.pk}/"
    assert JointMeeting.objects.get(pk=meeting.pk).decisions == ["Add a relief SRO", "Meet in June"]


def test_the_list_page_and_navigation(director, meeting):
    page = client_for(director).get("/partnership/meetings/").content.decode()
    assert "Quarterly partnership meeting" in page and "Schedule a meeting" in page
    assert 'href="/partnership/meetings/"' in page  # the navigation entry
