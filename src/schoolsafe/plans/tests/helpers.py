"""Builders shared by the plans tests: personas the shared conftest lacks and a small site map."""

from __future__ import annotations

from typing import Any

from schoolsafe.plans.demo import site_map_for
from schoolsafe.testing.personas import make_person


def police_lead(world: Any, username: str = "supervisor_a", agency: Any = None) -> Any:
    """A police supervisor of the agency serving school A (or of `agency`)."""
    return make_person(username, "police_supervisor", agency or world.agency_a, "agency")


def small_map(school: Any) -> dict[str, Any]:
    """A rally point, an exit and a building, a few dozen metres from the school."""
    full = site_map_for(school.latitude, school.longitude)["features"]
    keep = {"Main building (classrooms, offices)", "North hall exit", "South parking lot rally point"}
    return {"type": "FeatureCollection", "features": [f for f in full if f["properties"].get("name") in keep]}
