"""The SRO program's own cast, on top of the shared personas (schoolsafe.testing.personas)."""

from __future__ import annotations

from typing import Any

import pytest

from schoolsafe.testing.personas import make_person

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
