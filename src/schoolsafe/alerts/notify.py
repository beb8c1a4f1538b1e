"""Alerts sent out through the notification channels (email, webhooks, SMS) of the school, its district
and the agencies serving it. The notifications app consumes the alert events (alerts/event_kinds.py) in the
alert action's transaction, so a notification exists iff the alert change committed; the sending happens
after the commit. This module only words the message and names the organizations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.events.kinds import Notice
from schoolsafe.events.models import Event

HEADLINES = {
    "alert.raised": "{action} at {school}",
    "alert.escalated": "ESCALATED: {action} at {school}, not acknowledged by dispatch",
    "alert.action_changed": "NOW {action} at {school}",
    "alert.all_clear": "ALL CLEAR: {action} at {school}",
    "alert.cancelled": "CANCELLED: {action} at {school}",
    "alert.threat_location": "THREAT LOCATION: {location} ({action} at {school})",
}


def alert_message(kind: str, body: dict[str, Any]) -> tuple[str, str]:
    """The subject and text a person reads, from the alert's JSON (alerts/serialize.py). The wording (directive,
    all clear) is the school's SRP wording carried in that JSON (alerts/wording.py), English then Spanish."""
    action = str(body.get("action") or "alert").upper()
    school = (body.get("school") or {}).get("name") or "the school"
    threat = body.get("threat_location") or {}
    subject = HEADLINES[kind].format(action=action, school=school, location=threat.get("location", ""))
    if body.get("exercise"):
        subject = f"EXERCISE: {subject}"
    if body.get("tier") == "assist":
        subject = f"ASSIST: {subject}"
    lines = []
    if threat:
        lines.append(f"Threat reported near {threat.get('location')}" + (f": {threat['note']}" if threat.get("note") else ""))
        lines.append(f"Reported by {(threat.get('reported_by') or {}).get('name', '?')} at {threat.get('reported_at')}")
    if kind in ("alert.raised", "alert.escalated", "alert.action_changed") and body.get("directive"):
        lines.append(str(body["directive"]))
        if body.get("directive_es"):
            lines.append(f"ES: {body['directive_es']}")
    if kind == "alert.all_clear" and body.get("all_clear_text"):
        lines.append(str(body["all_clear_text"]))
        if body.get("all_clear_text_es"):
            lines.append(f"ES: {body['all_clear_text_es']}")
    if kind == "alert.action_changed" and body.get("previous_action"):
        lines.append(f"Changed from {str(body['previous_action']).upper()}.")
    if body.get("hazard"):
        lines.append(f"Hazard: {body['hazard']}" + (f"; {body['strategy']}" if body.get("strategy") else ""))
    if body.get("evacuate_to"):
        lines.append(f"Go to: {body['evacuate_to']}")
    location = body.get("location") or {}
    where = ", ".join(str(location[k]) for k in ("building", "room", "text") if location.get(k))
    if where:
        lines.append(f"Where: {where}")
    if body.get("reason"):
        lines.append(f"Reason: {body['reason']}")
    raised_by = (body.get("raised_by") or {}).get("name")
    if raised_by:
        lines.append(f"Raised by {raised_by} at {body.get('raised_at')}")
    return subject, "\n".join(lines)


def notice_context(school_id: int, district_id: int, agency_ids: Iterable[int], actor: Any = None,
                   body: dict[str, Any] | None = None) -> dict[str, Any]:
    """What an alert event's consumers need beside it (events/consumers.py): who acted, the organizations whose
    channels get it (the school, its district, `agency_ids`), and the alert `body` to word when the event's own
    data is not the alert (a threat location)."""
    context: dict[str, Any] = {"actor": actor, "organizations": [
        str(OrgKey.school(school_id)), str(OrgKey.district(district_id)), *(str(OrgKey.agency(a)) for a in agency_ids)]}
    if body is not None:
        context["body"] = body
    return context


def alert_notice(event: Event, context: dict[str, Any]) -> Notice:
    """The notification of an alert event: its subject and text for people, the alert's JSON for webhooks."""
    body = context.get("body", event.data)
    subject, text = alert_message(event.kind, body)
    return Notice(subject=subject, text=text, payload={"alert": body})
