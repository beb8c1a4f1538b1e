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
