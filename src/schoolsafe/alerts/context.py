"""The school's current state on every page of its people (issue 12, item 3): a context processor."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest


def school_state(request: HttpRequest) -> dict[str, Any]:
    """`school_states`: a callable, so the query runs only on pages that render it (and only once)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"school_states": []}
    from schoolsafe.alerts.state import states_for_user

    cache: dict[str, list[dict[str, Any]]] = {}

    def states(user: Any) -> list[dict[str, Any]]:
        if "states" not in cache:
            cache["states"] = states_for_user(user)
        return cache["states"]

    return {"school_states": partial(states, user)}
