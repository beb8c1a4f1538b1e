"""One source of wording for every channel of an alert: the pages, the banner, SMS, e-mail, webhook payloads,
the timeline and CAP all read the directive and the end-of-incident text from here.

The directive is the school's own SRP wording (plans/srp.py: the school's adapted words, else the SRP's),
in English and in Spanish; alerts keeps no copy of it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

# SRP lockdown release: law enforcement releases a lockdown room by room, in person. Staff do not open the
# door because of a message, so the all clear of a lockdown says so instead of "the incident is over".
LOCKDOWN_ALL_CLEAR = {
    "en": "Stay locked until an officer or administrator releases your room in person.",
    "es": "Permanezcan con llave hasta que un oficial o un administrador libere su salón en persona.",
}
ALL_CLEAR = {
    "en": "The incident is over. Resume normal operations and follow the instructions of staff.",
    "es": "El incidente terminó. Reanuden las actividades normales y sigan las instrucciones del personal.",
}
ROOM_RELEASED = {
    "en": "Room {room} released in person by {name}.",
    "es": "Salón {room} liberado en persona por {name}.",
}


def school_words(alert: Any, language: str = "en") -> dict[str, str]:
    """{action: directive} of the alert's school in `language` ("en" or "es"), read once per alert object."""
    cache = alert.__dict__.setdefault("_srp_words", {})
    if language not in cache:
        from schoolsafe.plans.reads import directives_for

        cache[language] = directives_for(alert.school_id, language)
    return cache[language]


def directive(alert: Any, language: str = "en") -> str:
    """The alert's action in the school's words (an assist call has no SRP directive)."""
    return school_words(alert, language).get(alert.action, "")


def directive_of(alert: Any, directives: dict[str, str] | None = None) -> str:
    """The alert's directive in the school's words, with its particulars (where to, the hazard's strategy)."""
    if alert.tier == "assist":
        where = ", ".join(p for p in (alert.room, alert.location_text) if p)
        return f"Staff help needed{' in ' + where if where else ''}."
    # The school's SRP wording (school_words, above), in Spanish for a page shown in Spanish.
    spanish = (get_language() or "en").startswith("es")
    words = (directives or {}).get(alert.action) or directive(alert, "es" if spanish else "en")
    if alert.action == "evacuate" and alert.evacuate_to:
        return f"{words} Go to: {alert.evacuate_to}."
    if alert.action == "shelter" and alert.hazard:
        return f"{alert.get_hazard_display()}: {alert.strategy or words}."
    return words


def all_clear_text(alert: Any, language: str = "en") -> str:
    """What people are told when the all clear is given: for a lockdown, to stay locked until released."""
    return (LOCKDOWN_ALL_CLEAR if alert.action == "lockdown" else ALL_CLEAR)[language]
