"""Threat-assessment personas: school A's team (lead, clinician, police member), the district's
coordinator, and school B's team member.

`lead_a` is the assistant principal who leads school A's team, `clinician_a` its school psychologist,
`officer_a` its SRO; `coordinator_a` holds ta_member at district A (the district's coordinator) without a
seat; `member_b` sits on school B's team (another district).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.testing.factories import MembershipFactory
from schoolsafe.testing.personas import make_person
from schoolsafe.threats.models import Team, TeamMember


def seat(user, team, team_role, *, is_lead=False):
    return TeamMember.objects.create(team=team, user=user, team_role=team_role, is_lead=is_lead)


@pytest.fixture
def team_a(world):
    return Team.objects.create(name="School A High threat-assessment team", school=world.school_a,
                               district=world.district_a)


@pytest.fixture
def lead_a(world, team_a):
    user = make_person("lead_a", "ta_member", world.school_a, "school")
    MembershipFactory(user=user, role="school_admin", school=world.school_a)
    seat(user, team_a, "administrator", is_lead=True)
    return user


@pytest.fixture
def clinician_a(world, team_a):
    user = make_person("clinician_a", "ta_member", world.school_a, "school")
    MembershipFactory(user=user, role="staff", school=world.school_a)
    seat(user, team_a, "mental_health")
    return user


@pytest.fixture
def officer_a(world, team_a):
    user = make_person("officer_a", "ta_member", world.school_a, "school")
    MembershipFactory(user=user, role="officer", agency=world.agency_a)
    seat(user, team_a, "law_enforcement")
    return user


@pytest.fixture
def coordinator_a(world):
    return make_person("coordinator_a", "ta_member", world.district_a, "district")


@pytest.fixture
def team_b(world):
    return Team.objects.create(name="School B High threat-assessment team", school=world.school_b,
                               district=world.district_b)


@pytest.fixture
def member_b(world, team_b):
    user = make_person("member_b", "ta_member", world.school_b, "school")
    seat(user, team_b, "administrator", is_lead=True)
    return user


def intake(**overrides):
    data = {
        "person_kind": "student",
        "person_name": "Jordan Example",
        "person_grade": "10",
        "occurred_at": timezone.now() - dt.timedelta(hours=2),
        "how_received": "in_person",
        "behaviour": "Said \"I'm going to bring my dad's gun and make them pay\" in the cafeteria.",
        "mode": "spoken",
        "targets": "Two classmates from the robotics club",
        "witnesses": "Three students at the same table",
        "context": "Argument over a team project earlier that day.",
    }
    data.update(overrides)
    return data
