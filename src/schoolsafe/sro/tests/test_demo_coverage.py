"""The demo county's coverage: the gaps and the double assignment are computed and listed with their reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.accounts.county import load_demo
from schoolsafe.accounts.models import User
from schoolsafe.sro.coverage import load_week, week_start
from schoolsafe.sro.models import ActivityEntry, Assignment
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


def a_school_week() -> dt.date:
    """A Monday on which every demo posting is active (the demo posts from the start of the school year)."""
    return week_start(timezone.localdate())


def test_the_board_lists_the_demo_gaps_and_the_double_assignment_with_their_reason():
    load_demo()
    supervisor = User.objects.get(username="supervisor")
    week = a_school_week()
    coverage = load_week(supervisor, week)
    reasons = [g.reason for g in coverage.gaps]
    # The deputy is not at Pine Ridge High on Fridays.
    director = User.objects.get(username="director")
    seen_by_director = load_week(director, week)
    director_reasons = [g.reason for g in seen_by_director.gaps]
    pine_ridge = next(s.id for s in seen_by_director.schools if s.name == "Pine Ridge High School")
    assert "no coverage during instruction hours (Fri 07:30–14:30)" in [
        g.reason for g in seen_by_director.gaps_for(pine_ridge)]
    double = ("Officer Daniel Pruitt assigned twice at once (Tue 08:00–10:00 at Cedar Falls Middle School "
              "and Lakeview Elementary School)")
    assert double in reasons
    assert double in director_reasons
    # Cedar Falls Middle is covered on Tuesdays and Thursdays only.
    middle = next(s.id for s in coverage.schools if s.name == "Cedar Falls Middle School")
    assert [g.reason for g in coverage.gaps_for(middle)] == [
        "no coverage during instruction hours (Mon 07:30–14:30)",
        "no coverage during instruction hours (Wed 07:30–14:30)",
        "no coverage during instruction hours (Fri 07:30–14:30)",
        double,
        "training unknown for Officer Daniel Pruitt (School resource officer at Cedar Falls Middle School)",
    ]
    # Cedar Falls High has its SRO every school day: no coverage gap, and training is unknown, never "ok".
    high = next(s.id for s in coverage.schools if s.name == "Cedar Falls High School")
    assert coverage.status(high) == "covered"
    assert [g.reason for g in coverage.gaps_for(high)] == [
        "training unknown for Officer Marcus Reyes (School resource officer at Cedar Falls High School)"]

    # The board says the same, in words.
    page = client_for(director).get(f"/sro/coverage/?week={week:%Y-%m-%d}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pine Ridge High School: no coverage during instruction hours (Fri 07:30–14:30)" in text
    assert f"Double assignment:</strong> {double}" in text
    assert "training unknown for Deputy Sam Okafor" in text
    # And the map's list beside the map.
    listed = client_for(director).get(f"/sro/coverage/map/?week={week:%Y-%m-%d}").content.decode()
    assert "<strong>Pine Ridge High School</strong>: gap" in listed
    assert "<strong>Cedar Falls High School</strong>: covered" in listed


def test_the_demo_is_idempotent_and_has_a_term_of_activity_across_the_triad():
    load_demo()
    counts = (Assignment.objects.count(), ActivityEntry.objects.count())
    assert load_demo() is False
    assert (Assignment.objects.count(), ActivityEntry.objects.count()) == counts
    assert counts[0] == 4
    sro = User.objects.get(username="sro")
    entries = ActivityEntry.objects.filter(officer=sro)
    assert {e.role for e in entries} == {"educator", "mentor", "law_enforcement"}
    assert entries.order_by("occurred_at").first().occurred_at.month == 8
    # The relief officer's posting gave him the officer membership at the middle school.
    relief = User.objects.get(username="relief")
    assert relief.memberships.filter(role="officer", school__name="Cedar Falls Middle School").exists()
