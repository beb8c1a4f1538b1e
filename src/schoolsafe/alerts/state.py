"""A school's current state: the most protective SRP action in force there, with its directive.

Several incidents may be active at one school (a real one and a drill, or a second emergency after the
merge window); people need one answer to "what do we do now". It is the active incident whose action ranks
highest in PROTECTIVENESS (alerts/models.py), a real incident before an exercise, the newest first.
"""

from __future__ import annotations

from typing import Any

from schoolsafe.alerts.models import PROTECTIVENESS, Alert, Status
from schoolsafe.alerts.serialize import iso


def current_state(school_id: int, user: Any = None) -> dict[str, Any]:
    """The school's current state (one query): `action` None when nothing is in force. With `user`, only
    the incidents that user may see count (a Hold for the administrators is not a teacher's state)."""
    alerts = Alert.objects.restrict(user, "view") if user is not None else Alert.objects.all()
    active = list(alerts.filter(school_id=school_id, status=Status.ACTIVE).select_related("school")
                  .order_by("-raised_at", "-id"))
    state: dict[str, Any] = {"school": school_id, "action": None, "directive": None, "hazard": None,
                             "strategy": None, "evacuate_to": None, "exercise": None, "incident": None,
                             "since": None, "incidents": [a.pk for a in active]}
    if not active:
        return state
    top = max(active, key=lambda a: (not a.exercise, PROTECTIVENESS.get(a.action, 0)))
    state.update(action=top.action, directive=top.directive, hazard=top.hazard or None,
                 strategy=top.strategy or None, evacuate_to=top.evacuate_to or None, exercise=top.exercise,
                 incident=top.pk, since=iso(top.raised_at))
    return state


def states_for_user(user: Any) -> list[dict[str, Any]]:
    """The current state of each school the user belongs to (a school membership) where something is in
    force, for the line on every page of the school's people (one query; none when nothing is active)."""
    from schoolsafe.access.policy import memberships

    school_ids = sorted({m.school_id for m in memberships(user) if m.school_id})
    if not school_ids:
        return []
    active = list(Alert.objects.restrict(user, "view").filter(school_id__in=school_ids, status=Status.ACTIVE)
                  .select_related("school").order_by("-raised_at", "-id"))
    by_school: dict[int, list[Alert]] = {}
    for alert in active:
        by_school.setdefault(alert.school_id, []).append(alert)
    states = []
    for alerts in by_school.values():
        top = max(alerts, key=lambda a: (not a.exercise, PROTECTIVENESS.get(a.action, 0)))
        states.append({"school": top.school.name, "action": top.get_action_display(), "directive": top.directive,
                       "exercise": top.exercise, "incident": top.pk})
    return sorted(states, key=lambda s: s["school"])
