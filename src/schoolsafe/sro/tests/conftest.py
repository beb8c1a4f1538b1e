"""The SRO program's own cast for its tests (the shared personas are in schoolsafe.testing.personas). Each part
adds its fixtures in its own section."""

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
