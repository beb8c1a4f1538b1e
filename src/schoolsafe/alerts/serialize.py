"""An alert as JSON: the API's answer and the payload of its events (one shape for both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.alerts.models import Alert


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.username}


def panic_device(alert: Alert) -> dict[str, Any] | None:
    if alert.panic_credential_id is None:
        return None
    credential = alert.panic_credential
    assert credential is not None  # panic_credential_id is set
    return {"device": credential.device, "prefix": credential.prefix}


def alert_json(alert: Alert, *, school_name: str | None = None) -> dict[str, Any]:
    """The alert's public fields; `school_name` spares a query when the caller already has it. The directive
    and the all clear's text are the school's SRP wording (alerts/wording.py), in English and Spanish."""
    from schoolsafe.alerts.wording import all_clear_text, directive

    ended = alert.status == "all_clear"
    return {
        "id": alert.pk,
        "school": {"id": alert.school_id, "name": school_name if school_name is not None else alert.school.name},
        "action": alert.action,
        "directive": directive(alert),
        "directive_es": directive(alert, "es"),
        "hazard": alert.hazard or None,
        "strategy": alert.strategy or None,
        "evacuate_to": alert.evacuate_to or None,
        "tier": alert.tier,
        "reason": alert.reason,
        "location": {
            "building": alert.building,
            "room": alert.room,
            "text": alert.location_text,
            "latitude": alert.latitude,
            "longitude": alert.longitude,
        },
        "exercise": alert.exercise,
        "status": alert.status,
        "raised_by": person(alert.raised_by),
        # Who raised it and with which device's panic button (a stolen one raises in its holder's name).
        "raised_with": panic_device(alert),
        "raised_at": iso(alert.raised_at),
        "escalated_at": iso(alert.escalated_at),
        "all_clear_at": iso(alert.all_clear_at),
        "all_clear_text": all_clear_text(alert) if ended else None,
        "all_clear_text_es": all_clear_text(alert, "es") if ended else None,
        "all_clear_on_behalf_of": alert.all_clear_on_behalf_of or None,
        "all_clear_concurring_officer": alert.all_clear_concurring_officer or None,
        "cancelled_at": iso(alert.cancelled_at),
        "reach": alert.reach,
        "dispatch": alert.dispatch,
        "cancel_requested_at": iso(alert.cancel_requested_at),
        "cancel_requested_by": person(alert.cancel_requested_by) if alert.cancel_requested_by_id else None,
        "cancel_confirmation": alert.cancel_confirmation or None,
        "flood_flagged_at": iso(alert.flood_flagged_at),
    }


# The alert events a locked screen still receives, as their headline (events/locked.py): what to do and where,
# not who raised it or why; the details need the password (docs/alerts.md, "Delivery without a session").
# A change of action (Secure -> Lockdown in one incident) is as new to a locked screen as a new alert.
LOCKED_SCREEN_KINDS = ("alert.raised", "alert.action_changed", "alert.all_clear", "alert.cancelled")
_HEADLINE_FIELDS = ("id", "school", "action", "directive", "hazard", "strategy", "evacuate_to", "tier", "exercise",
                    "status", "raised_at", "all_clear_at", "cancelled_at")


def alert_headline(data: dict[str, Any]) -> dict[str, Any]:
    """An alert event's payload reduced to its headline (for a locked screen)."""
    headline = {field: data[field] for field in _HEADLINE_FIELDS if field in data}
    location = data.get("location") or {}
    headline["location"] = {"building": location.get("building", ""), "room": location.get("room", ""),
                            "text": location.get("text", "")}
    headline["locked"] = True
    return headline
