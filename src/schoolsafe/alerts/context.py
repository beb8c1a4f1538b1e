"""What alerts add to every page (registered as the app's page_context): the school's current state on every
page of its people, and the schools where a lockdown keeps the page silent."""

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


def lockdown_schools(user: Any) -> str:
    """The schools (comma-separated ids) where a lockdown the user may see is in force: their pages stay silent
    (SRP; alerts/static/alerts/live.js, `SS.soundDecision`)."""
    from schoolsafe.alerts.models import Alert

    ids = (Alert.objects.restrict(user, "view").filter(status="active", action="lockdown")
           .exclude(tier="assist").values_list("school_id", flat=True).distinct())
    return ",".join(str(i) for i in sorted(set(ids)))


def page_context(request: HttpRequest) -> dict[str, Any]:
    """The alerts app's part of every page's context; callables, so a query runs only where a page renders it."""
    context = school_state(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["lockdown_schools"] = partial(lockdown_schools, user)
    return context
