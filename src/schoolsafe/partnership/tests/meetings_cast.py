"""The people and the meeting of the meetings tests: both sides of the partnership of district A and agency A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from schoolsafe.testing.personas import make_person


@pytest.fixture
def agency_admin_a(world: Any) -> Any:
    user = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    user.email, user.full_name = "lt.holloway@agency-a.test", "Lt. Grant Holloway"
    user.save()
    return user


@pytest.fixture
def officer_a(world: Any) -> Any:
    user = make_person("officer_a", "officer", world.agency_a, "agency")
    user.email, user.full_name = "reyes@agency-a.test", "Officer Marcus Reyes"
    user.save()
    return user


@pytest.fixture
def director(director_a: Any) -> Any:
    director_a.email, director_a.full_name = "castillo@district-a.test", "Dr. Renee Castillo"
    director_a.save()
    return director_a


@pytest.fixture
def principal(principal_a: Any) -> Any:
    principal_a.email, principal_a.full_name = "moore@school-a.test", "Janet Moore"
    principal_a.save()
    return principal_a


def next_week(hours: int = 0) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=7, hours=hours)).replace(microsecond=0)


@pytest.fixture
def meeting(world: Any, director: Any, officer_a: Any, principal: Any) -> Any:
    from schoolsafe.partnership.actions import do_schedule_meeting

    return do_schedule_meeting(
        director, kind="quarterly", agency=world.agency_a, district=world.district_a, school=world.school_a,
        title="Quarterly partnership meeting", starts_at=next_week(), ends_at=next_week(1),
        location="District office, room 2", agenda="1. SRO coverage\n2. MOU review",
        attendees=[officer_a, principal, director])


__all__ = ["agency_admin_a", "director", "meeting", "next_week", "officer_a", "principal"]
