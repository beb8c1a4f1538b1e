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


def alert_json(alert: Alert, *, school_name: str | None = None) -> dict[str, Any]:
    """The alert's public fields; `school_name` spares a query when the caller already has it."""
    return {
        "id": alert.pk,
        "school": {"id": alert.school_id, "name": school_name if school_name is not None else alert.school.name},
        "action": alert.action,
        "directive": alert.directive,
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
        "raised_at": iso(alert.raised_at),
        "escalated_at": iso(alert.escalated_at),
        "all_clear_at": iso(alert.all_clear_at),
        "cancelled_at": iso(alert.cancelled_at),
        "reach": alert.reach,
        "dispatch": alert.dispatch,
        "cancel_requested_at": iso(alert.cancel_requested_at),
        "cancel_requested_by": person(alert.cancel_requested_by) if alert.cancel_requested_by_id else None,
        "cancel_confirmation": alert.cancel_confirmation or None,
        "flood_flagged_at": iso(alert.flood_flagged_at),
    }
