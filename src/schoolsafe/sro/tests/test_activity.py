"""The activity log: the quick entry (plain links and one form, no script needed), the monthly report with the
triad mix, and the supervisor's review, once a month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.errors import ActionError
from schoolsafe.sro import actions
from schoolsafe.sro.models import ActivityEntry, ActivityReview
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


def test_three_taps_and_a_number_without_scripts(world, officer_a, schedule):
    client = client_for(officer_a)
    first = client.get("/sro/activity/log/").content.decode()
    assert 'href="?role=mentor"' in first and "Informal counsellor / mentor" in first
    second = client.get("/sro/activity/log/?role=mentor").content.decode()
    assert 'href="?role=mentor&amp;kind=mentoring"' in second
    third = client.get("/sro/activity/log/?role=mentor&kind=mentoring")
    form = third.context["form"]
    # The minutes come from the kind; the school from the officer's schools.
    assert form.initial["minutes"] == 15 and form.initial["school"] == world.school_a.pk
    saved = client.post("/sro/activity/log/?role=mentor&kind=mentoring",
                        {"role": "mentor", "kind": "mentoring", "students_reached": "2", "minutes": "15",
                         "school": str(world.school_a.pk), "note": ""})
    assert saved.status_code == 302
    entry = ActivityEntry.objects.get()
    assert (entry.officer, entry.school, entry.role, entry.kind, entry.minutes, entry.students_reached) == (
        officer_a, world.school_a, "mentor", "mentoring", 15, 2)
    assert AuditEntry.objects.filter(action="sro.log_activity", object_id=str(entry.pk)).exists()
    assert "Saved." in client.get(saved["Location"]).content.decode()


def test_a_number_that_is_not_one_is_refused_beside_its_field(world, officer_a):
    answer = client_for(officer_a).post("/sro/activity/log/?role=educator&kind=class", {
        "role": "educator", "kind": "class", "students_reached": "-3", "minutes": "50",
        "school": str(world.school_a.pk)})
    assert answer.status_code == 400 and "students_reached" in answer.context["form"].errors
    assert not ActivityEntry.objects.exists()


def test_the_quick_entry_defaults_to_the_school_of_todays_schedule(world, supervisor_a, officer_a):
    world.school_a2.agencies.add(world.agency_a)
    today = timezone.localdate()
    actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a2, agency=world.agency_a,
                                 start_date=today - dt.timedelta(days=30),
                                 schedule=[{"weekday": today.weekday(), "starts": "00:00", "ends": "23:59"}])
    form = client_for(officer_a).get("/sro/activity/log/?role=educator&kind=class").context["form"]
    assert form.initial["school"] == world.school_a2.pk


def test_the_monthly_report_and_a_review_once(world, officer_a, supervisor_a, teacher_a, director_a):
    september = dt.datetime(2026, 9, 15, 10, tzinfo=timezone.get_current_timezone())
    for kind, students in (("class", 30), ("mentoring", 1), ("mentoring", 2), ("patrol", 0)):
        actions.do_log_activity(officer_a, school=world.school_a, kind=kind, students_reached=students,
                                occurred_at=september)
    client = client_for(supervisor_a)
    page = client.get(f"/sro/activity/officers/{officer_a.pk}/2026-09/")
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.total_entries, report.total_minutes, report.total_students) == (4, 110, 33)
    mix = {r.role: (r.minutes, r.entries, r.minutes_pct, r.entries_pct) for r in report.roles}
    assert mix == {"educator": (50, 1, 45, 25), "mentor": (30, 2, 27, 50), "law_enforcement": (30, 1, 27, 25)}
    text = page.content.decode()
    assert '<meter min="0" max="100" value="45"' in text and "Mark September 2026 reviewed" in text

    assert client.post(f"/sro/activity/officers/{officer_a.pk}/2026-09/", {"comment": ""}).status_code == 400
    assert client.post(f"/sro/activity/officers/{officer_a.pk}/2026-09/",
                       {"comment": "Good balance."}).status_code == 302
    review = ActivityReview.objects.get()
    assert (review.reviewer, review.month, review.comment) == (supervisor_a, dt.date(2026, 9, 1), "Good balance.")
    assert AuditEntry.objects.filter(action="sro.review_activity_month").count() == 1
    with pytest.raises(ActionError) as again:
        actions.do_review_activity_month(supervisor_a, officer_a, dt.date(2026, 9, 20), "Again")
    assert again.value.status == 409 and again.value.field == "month"
    assert "Reviewed by Supervisor A" in client.get(f"/sro/activity/officers/{officer_a.pk}/2026-09/").content.decode()

    # The school's report, for the district's director; a teacher has none.
    school = client_for(director_a).get(f"/sro/activity/schools/{world.school_a.pk}/2026-09/")
    assert school.status_code == 200 and school.context["report"].total_entries == 4
    assert client_for(teacher_a).get(f"/sro/activity/schools/{world.school_a.pk}/2026-09/").status_code == 404
    assert client_for(teacher_a).get(f"/sro/activity/officers/{officer_a.pk}/2026-09/").status_code == 404
    # The officer may not review their own month.
    with pytest.raises(ActionError) as own:
        actions.do_review_activity_month(officer_a, officer_a, dt.date(2026, 10, 1), "Fine")
    assert own.value.status == 403
