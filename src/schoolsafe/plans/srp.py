"""Standard Response Protocol settings: the words each action tells people, per school.

The defaults are the SRP's own directives (I Love U Guys Foundation, SRP K12); a school may adapt the
wording and name its evacuation and reunification locations. Every channel of an alert (pages, banner, SMS,
e-mail, webhooks, timeline, CAP) reads its words through `directives_for` (see alerts/wording.py), in English
and in Spanish.
"""

from __future__ import annotations

from typing import Any

ACTIONS = ("hold", "secure", "lockdown", "evacuate", "shelter")
ACTION_LABELS = {"hold": "Hold", "secure": "Secure", "lockdown": "Lockdown", "evacuate": "Evacuate",
                 "shelter": "Shelter"}
DEFAULT_DIRECTIVES = {
    "hold": "In your room or area. Clear the halls.",
    "secure": "Get inside. Lock outside doors.",
    # SRP 4.0: "Locks, Lights, Out of Sight", and students and staff are prepared to evade or defend.
    "lockdown": "Locks, lights, out of sight. Prepare to evade or defend.",
    "evacuate": "To a location (announced).",
    "shelter": "Hazard and safety strategy.",
}
# The SRP's Spanish wording (the Foundation publishes the protocol in Spanish as well).
DEFAULT_DIRECTIVES_ES = {
    "hold": "En su salón o área. Despejen los pasillos.",
    "secure": "Entren. Cierren con llave las puertas exteriores.",
    "lockdown": "Cerraduras, luces, fuera de vista. Prepárense para evadir o defenderse.",
    "evacuate": "A un lugar (anunciado).",
    "shelter": "Peligro y estrategia de seguridad.",
}
LANGUAGES = ("en", "es")
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

    # A school or its id (the alert channels have only the id at hand).
    key = {"school_id": school} if isinstance(school, int) else {"school": school}
    saved = ResponseProtocol.objects.filter(**key).first()
    if saved is not None:
        return saved
    return ResponseProtocol(**key, shelter_strategies=dict(DEFAULT_SHELTER_STRATEGIES), **DEFAULT_DIRECTIVES)


def directives_for(school: Any, language: str = "en") -> dict[str, str]:
    """{action: directive} for the five SRP actions at this school (defaults where not set), in English or
    ("es") in the school's Spanish wording."""
    protocol = protocol_for(school)
    if language == "es":
        spanish = protocol.spanish or {}
        return {action: (spanish.get(action) or DEFAULT_DIRECTIVES_ES[action]) for action in ACTIONS}
    return {action: (getattr(protocol, action) or DEFAULT_DIRECTIVES[action]) for action in ACTIONS}


def shelter_strategies_for(school: Any) -> dict[str, str]:
    """{hazard: safety strategy} for the Shelter action at this school."""
    return dict(protocol_for(school).shelter_strategies or DEFAULT_SHELTER_STRATEGIES)


def locations(text: str) -> list[str]:
    """The non-empty lines of a locations field, in order (primary first)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
