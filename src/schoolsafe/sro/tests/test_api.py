"""Every SRO program endpoint (assignments, coverage, activity): anonymous, without permission, with."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from schoolsafe.sro import actions
from schoolsafe.sro.models import ActivityReview, Assignment
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db

START = dt.date(2026, 8, 10)


@pytest.fixture
def posting(world, supervisor_a, officer_a, schedule):
    return actions.do_create_assignment(supervisor_a, person=officer_a, school=world.school_a, agency=world.agency_a,
                                        start_date=START, schedule=schedule)


@pytest.fixture
def entry(world, officer_a):
    return actions.do_log_activity(officer_a, school=world.school_a, kind="mentoring", students_reached=1,
                                   occurred_at=dt.datetime(2026, 9, 15, 10, tzinfo=timezone.get_current_timezone()))


def call(client, method, url, data=None):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json") \
        if method in ("post", "patch") else client.get(url)


def operations(world, posting, officer_a):
    return [
        ("get", "/api/v1/sro/assignments", None),
        ("post", "/api/v1/sro/assignments", {"person": officer_a.pk, "school": world.school_a.pk,
                                             "agency": world.agency_a.pk, "start_date": "2026-09-01"}),
        ("get", f"/api/v1/sro/assignments/{posting.pk}", None),
        ("patch", f"/api/v1/sro/assignments/{posting.pk}", {"role": "relief"}),
        ("post", f"/api/v1/sro/assignments/{posting.pk}/end", {}),
        ("get", "/api/v1/sro/coverage?week=2026-09-16", None),
        ("get", "/api/v1/sro/activity?month=2026-09", None),
        ("post", "/api/v1/sro/activity", {"school": world.school_a.pk, "kind": "class", "students_reached": 25}),
        ("get", f"/api/v1/sro/activity/officers/{officer_a.pk}/2026-09", None),
        ("post", f"/api/v1/sro/activity/officers/{officer_a.pk}/2026-09/review", {"comment": "Reviewed."}),
    ]


def test_every_endpoint_refuses_an_anonymous_caller(world, posting, officer_a):
    for method, url, data in operations(world, posting, officer_a):
        assert call(Client(), method, url, data).status_code == 401, url


def test_every_endpoint_is_a_404_or_403_without_permission(world, posting, entry, officer_a, teacher_a, outsider,
                                                           teacher_b):
    for user in (teacher_a, outsider, teacher_b):
        client = client_for(user)
        for method, url, data in operations(world, posting, officer_a):
            status = call(client, method, url, data).status_code
            assert status in (403, 404), (user, method, url, status)
    assert Assignment.objects.count() == 1 and Assignment.objects.get().role == "primary"
    assert not ActivityReview.objects.exists()


def test_with_permission(world, posting, entry, officer_a, supervisor_a, director_a):
    boss = client_for(supervisor_a)
    listed = call(boss, "get", "/api/v1/sro/assignments").json()
    assert [a["id"] for a in listed] == [posting.pk]
    made = call(boss, "post", "/api/v1/sro/assignments", {
        "person": officer_a.pk, "school": world.school_a.pk, "agency": world.agency_a.pk, "kind": "sro",
        "start_date": "2026-09-01", "role": "relief", "schedule": [{"weekday": 5, "starts": "09:00", "ends": "12:00"}]})
    assert made.status_code == 201 and made.json()["schedule"] == [{"weekday": 5, "starts": "09:00:00",
                                                                     "ends": "12:00:00"}]
    changed = call(boss, "patch", f"/api/v1/sro/assignments/{posting.pk}", {"role": "relief"})
    assert changed.status_code == 200 and changed.json()["role"] == "relief"
    assert call(boss, "get", f"/api/v1/sro/assignments/{posting.pk}").json()["role"] == "relief"

    coverage = call(client_for(director_a), "get", "/api/v1/sro/coverage?week=2026-09-16").json()
    assert coverage["week"] == "2026-09-14"
    assert {s["name"]: s["status"] for s in coverage["schools"]}["School A High"] == "covered"
    assert "no coverage during instruction hours (Mon 07:30–14:30)" in [
        g["reason"] for g in coverage["gaps"] if world.school_a2.pk in g["school_ids"]]

    logged = call(client_for(officer_a), "post", "/api/v1/sro/activity",
                  {"school": world.school_a.pk, "kind": "class", "students_reached": 25,
                   "occurred_at": "2026-09-16T10:00:00-04:00"})
    assert logged.status_code == 201 and logged.json()["minutes"] == 50 and logged.json()["role"] == "educator"
    bad = call(client_for(officer_a), "post", "/api/v1/sro/activity", {"school": 999999, "kind": "class"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("school: ")
    assert len(call(boss, "get", "/api/v1/sro/activity?month=2026-09").json()) == 2

    report = call(boss, "get", f"/api/v1/sro/activity/officers/{officer_a.pk}/2026-09").json()
    assert (report["total_entries"], report["total_minutes"], report["review"]) == (2, 65, None)
    reviewed = call(boss, "post", f"/api/v1/sro/activity/officers/{officer_a.pk}/2026-09/review",
                    {"comment": "Reviewed."})
    assert reviewed.status_code == 201 and reviewed.json()["reviewer"] == "supervisor_a"
    again = call(boss, "post", f"/api/v1/sro/activity/officers/{officer_a.pk}/2026-09/review", {"comment": "Again"})
    assert again.status_code == 409 and again.json()["detail"].startswith("month: ")

    ended = call(boss, "post", f"/api/v1/sro/assignments/{posting.pk}/end", {"end_date": "2026-12-01"})
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-12-01"
    assert call(boss, "get", "/api/v1/sro/coverage?week=not-a-date").status_code == 422
