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
