"""Routing by action: who an alert reaches and whether dispatch must respond, decided by its SRP action.

Defaults (SRP 4.0's meaning of each action, and what a 911 centre needs from it):
- Hold ("in your room or area, clear the halls": a fight, a medical call in a hallway): the school's
  administrators and SRO; not sent to dispatch, no escalation.
- Secure ("get inside, lock outside doors": a threat near, not in, the school): everyone at the school,
  dispatch informed; no escalation.
- Lockdown ("locks, lights, out of sight": a threat inside): everyone; dispatch at top priority, escalated
  when dispatch does not acknowledge.
- Evacuate: everyone; dispatch responds (escalated), and fire and EMS agencies where a route names them.
- Shelter (weather and other hazards): everyone; dispatch informed, informational: no escalation.

An agency or a district may change any of them (ActionRoute rows); a district's route wins for its
schools, then the most urgent route of the agencies serving the school, then these defaults. An
"assist" raise (staff help needed) stays with the administrators and SRO whatever the route says.

Exercises never escalate, and reach dispatch (always as exercises) only while a drill window is
registered for the school (DrillWindow): a drill otherwise stays in the building, so that a 911 centre
never takes a drill for a real call, nor learns to ignore its console.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from schoolsafe.alerts.models import Action, ActionRoute, DispatchLevel, DrillWindow, Tier


@dataclass(frozen=True)
class Route:
    """Where one alert goes: its audience tier, how dispatch gets it, whether it escalates, which other
    agencies' notification channels get it."""

    tier: str
    dispatch: str
    escalate: bool
    also_notify: tuple[int, ...] = field(default_factory=tuple)


DEFAULT_ROUTES: dict[str, Route] = {
    Action.HOLD: Route(Tier.ASSIST, DispatchLevel.NONE, False),
    Action.SECURE: Route(Tier.EMERGENCY, DispatchLevel.INFORMED, False),
    Action.LOCKDOWN: Route(Tier.EMERGENCY, DispatchLevel.TOP, True),
    Action.EVACUATE: Route(Tier.EMERGENCY, DispatchLevel.PRIORITY, True),
    Action.SHELTER: Route(Tier.EMERGENCY, DispatchLevel.INFORMED, False),
}
# Keyed by DispatchLevel, read with a route's `dispatch` (its text, equal to the member).
_URGENCY: dict[str, int] = {DispatchLevel.NONE: 0, DispatchLevel.INFORMED: 1, DispatchLevel.PRIORITY: 2, DispatchLevel.TOP: 3}


def _urgency(route: Route) -> tuple[int, int, int]:
    return (_URGENCY[route.dispatch], route.escalate, route.tier == Tier.EMERGENCY)


def configured_route(action: str, district_id: int, agency_ids: Iterable[int]) -> Route:
    """The route of `action` at a school of `district_id` served by `agency_ids` (one query)."""
    agencies = list(agency_ids)
    rows = list(
        ActionRoute.objects.filter(Q(district_id=district_id) | Q(agency_id__in=agencies), action=action)
        .prefetch_related("also_notify")
    )
    routes = {
        row.pk: Route(row.tier, row.dispatch, row.escalate, tuple(sorted(a.pk for a in row.also_notify.all())))
        for row in rows
    }
    own = [routes[r.pk] for r in rows if r.district_id is not None]
    if own:
        return own[0]
    served = [routes[r.pk] for r in rows]
    if served:
        # Several agencies may serve one school: the most urgent of their routes wins (as with escalation).
        return max(served, key=_urgency)
    return DEFAULT_ROUTES[action]


def in_drill_window(school_id: int, at: object | None = None) -> bool:
    """Whether a drill window registered for the school is open now (or at `at`)."""
    now = at or timezone.now()
    return DrillWindow.objects.filter(school_id=school_id, starts_at__lte=now, ends_at__gt=now).exists()


def route_for(action: str, *, tier: str, exercise: bool, school_id: int, district_id: int,
              agency_ids: Iterable[int]) -> Route:
    """The route of one raise: the configured route of its action, narrowed by an assist tier and by the
    exercise rule."""
    route = configured_route(action, district_id, agency_ids)
    if tier == Tier.ASSIST:
        route = Route(Tier.ASSIST, DispatchLevel.NONE, False, route.also_notify)
    if exercise:
        dispatch = route.dispatch if route.dispatch != DispatchLevel.NONE and in_drill_window(school_id) \
            else DispatchLevel.NONE
        # A drill is never a reason to call fire or EMS, nor to page a supervisor.
        route = Route(route.tier, DispatchLevel.INFORMED if dispatch != DispatchLevel.NONE else dispatch, False)
    if route.dispatch == DispatchLevel.NONE and route.escalate:
        # Escalation is about dispatch not answering: an alert that does not go to dispatch cannot escalate.
        route = Route(route.tier, route.dispatch, False, route.also_notify)
    return route
