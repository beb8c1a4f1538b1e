"""The SRO program's own cast, on top of the shared personas (schoolsafe.testing.personas)."""

from __future__ import annotations

from typing import Any

import pytest

from schoolsafe.testing.personas import make_person

# --- MOU register ---


@pytest.fixture
def agency_admin_a(world: Any) -> Any:
    user = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    user.email = "chief@agency-a.example"
    user.save()
    return user


@pytest.fixture
def officer_agency_a(world: Any) -> Any:
    return make_person("officer_agency_a", "officer", world.agency_a, "agency")


# --- Assignments, coverage and the activity log ---


@pytest.fixture
def officer_a(world: Any) -> Any:
    """A sworn officer of agency A (which serves school A), not yet posted anywhere."""
    return make_person("officer_a", "officer", world.agency_a, "agency")


@pytest.fixture
def officer_b(world: Any) -> Any:
    """An officer of agency B (which serves school B only)."""
    return make_person("officer_b", "officer", world.agency_b, "agency")


@pytest.fixture
def schedule() -> list[dict[str, str | int]]:
    return [{"weekday": d, "starts": "07:00", "ends": "15:00"} for d in range(5)]


# --- sro equity ---


def demo_county() -> Any:
    """The demo county as its loaders receive it, rebuilt from the database (after `load_demo()`)."""
    from schoolsafe.accounts.county import DEMO_LOGINS, DISTRICT, DemoCounty
    from schoolsafe.accounts.models import User
    from schoolsafe.core.models import Agency, District, School

    district = District.objects.get(name=DISTRICT)
    return DemoCounty(district=district, agencies={a.name: a for a in Agency.objects.all()},
                      schools={s.name: s for s in School.objects.filter(district=district)},
                      users={u.username: u for u in User.objects.filter(username__in=[n for n, _ in DEMO_LOGINS])})
