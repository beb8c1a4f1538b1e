"""Standard Response Protocol settings: the words each action tells people, per school.

The defaults are the SRP's own directives (I Love U Guys Foundation, SRP K12); a school may adapt the
wording and name its evacuation and reunification locations. The alert pages call `directives_for`.
"""

from __future__ import annotations

from typing import Any

ACTIONS = ("hold", "secure", "lockdown", "evacuate", "shelter")
ACTION_LABELS = {"hold": "Hold", "secure": "Secure", "lockdown": "Lockdown", "evacuate": "Evacuate",
                 "shelter": "Shelter"}
DEFAULT_DIRECTIVES = {
    "hold": "In your room or area. Clear the halls.",
    "secure": "Get inside. Lock outside doors.",
    "lockdown": "Locks, lights, out of sight.",
    "evacuate": "To a location (announced).",
    "shelter": "Hazard and safety strategy.",
}
# The SRP's hazards and their safety strategies.
DEFAULT_SHELTER_STRATEGIES = {
    "tornado": "Evacuate to shelter area",
    "hazmat": "Seal the room",
    "earthquake": "Drop, cover and hold",
    "tsunami": "Get to high ground",
}


def protocol_for(school: Any) -> Any:
    """The school's saved settings, or an unsaved one holding the defaults."""
    from schoolsafe.plans.models import ResponseProtocol

    saved = ResponseProtocol.objects.filter(school=school).first()
    if saved is not None:
        return saved
    return ResponseProtocol(school=school, shelter_strategies=dict(DEFAULT_SHELTER_STRATEGIES), **DEFAULT_DIRECTIVES)


def directives_for(school: Any) -> dict[str, str]:
    """{action: directive} for the five SRP actions at this school (defaults where not set)."""
    protocol = protocol_for(school)
    return {action: (getattr(protocol, action) or DEFAULT_DIRECTIVES[action]) for action in ACTIONS}


def shelter_strategies_for(school: Any) -> dict[str, str]:
    """{hazard: safety strategy} for the Shelter action at this school."""
    return dict(protocol_for(school).shelter_strategies or DEFAULT_SHELTER_STRATEGIES)


def locations(text: str) -> list[str]:
    """The non-empty lines of a locations field, in order (primary first)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
