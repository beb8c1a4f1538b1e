"""The incident timeline: one ordered list of what happened during an alert, built from its rows.

The API, the incident pages, the ICS 214 activity log and the CAP updates all read this one function, so
every view of an incident tells the same story.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from schoolsafe.alerts.models import Alert, RoomState
from schoolsafe.alerts.serialize import iso
from schoolsafe.alerts.wording import ROOM_RELEASED, all_clear_text, directive

# Kinds, in the order entries with the same time are listed (cause before effect).
KINDS = ("raised", "report", "flood", "action_changed", "delivered", "acknowledged", "escalated", "threat_location",
         "room_status", "message", "cancel_requested", "all_clear", "room_released", "cancelled")
_RANK = {kind: n for n, kind in enumerate(KINDS)}
ROLE_NAMES = {"police_supervisor": "police supervisor", "agency_admin": "agency administrator"}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, what kind of thing, who did it (None: the system), what happened."""

    at: dt.datetime
    kind: str
    actor: str | None
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"at": iso(self.at), "kind": self.kind, "actor": self.actor, "text": self.text}


def name_of(user: Any) -> str | None:
    if user is None:
        return None
    return user.full_name or user.username


def location_words(alert: Alert) -> str:
    """Where in the school, in words: "building C, room C-12, east stairwell" (a room already named "Room 212"
    is not called "room Room 212")."""
    parts = []
    if alert.building:
        parts.append(f"building {alert.building}")
    if alert.room:
        parts.append(alert.room if alert.room.lower().startswith("room") else f"room {alert.room}")
    if alert.location_text:
        parts.append(alert.location_text)
    return ", ".join(parts)


def raised_text(alert: Alert) -> str:
    """The alert in one sentence: action, drill, tier, where, why, and the directive."""
    parts = [f"{alert.get_action_display()} raised"]
    if alert.tier == "assist":
        parts[0] = "Assist call (staff help needed) raised"
    if alert.exercise:
        parts.append("(exercise)")
    where = location_words(alert)
    text = " ".join(parts)
    if where:
        text += f" at {where}"
    if alert.reason:
        text += f": {alert.reason}"
    details = [directive(alert)]
    if alert.hazard:
        details.append(f"Hazard: {alert.get_hazard_display()}; strategy: {alert.strategy}")
    if alert.evacuate_to:
        details.append(f"Evacuate to: {alert.evacuate_to}")
    return f"{text}. " + " ".join(d for d in details if d)


def room_status_text(report: Any, names: bool = True) -> str:
    """A room's report in one line: the room, its state, the counts and (names=True) the students' names."""
    text = f"Room {report.room}: {RoomState(report.status).label.lower()}"
    counts = []
    if report.present is not None:
        counts.append(f"{report.present} present")
    if getattr(report, "staff", None) is not None:
        counts.append(f"{report.staff} staff")
    if getattr(report, "visitors", None) is not None:
        counts.append(f"{report.visitors} visitors")
    if report.injured is not None:
        counts.append(f"{report.injured} injured")
    if counts:
        text += f" ({', '.join(counts)})"
    if report.missing:
        text += f"; missing: {', '.join(report.missing)}" if names else f"; {len(report.missing)} missing"
    if report.extra:
        text += f"; extra: {', '.join(report.extra)}" if names else f"; {len(report.extra)} extra"
    if report.note:
        text += f". Note: {report.note}"
    return text


def _delivery_entry(alert: Alert, events: list[Any]) -> Entry | None:
    """One entry summarizing delivery: the first receipt of each recipient, over all the alert's events."""
    from django.db.models import Min

    from schoolsafe.events.audience import users_for_keys
    from schoolsafe.events.models import Receipt

    raised = next((e for e in events if e.kind == "alert.raised"), None)
    if raised is None:
        return None
    # The intended recipients only, each by their first receipt: the figures of the delivery report.
    intended_ids = set(users_for_keys(raised.audience).values_list("pk", flat=True))
    firsts = [
        first for user_id, first in Receipt.objects.filter(event__in=[e.pk for e in events]).values("user_id")
        .annotate(first=Min("received_at")).values_list("user_id", "first") if user_id in intended_ids
    ]
    if not firsts:
        return None
    intended = len(intended_ids)
    first, last = min(firsts), max(firsts)
    # Seconds after raising, not clock times: the entry reads the same in every time zone and export.
    after = [max(0.0, (t - alert.raised_at).total_seconds()) for t in (first, last)]
    text = f"Delivered to {len(firsts)} of {intended} intended recipients"
    text += f" (first {after[0]:.1f} s after raising, last {after[1]:.1f} s)" if len(firsts) > 1 else \
        f" ({after[0]:.1f} s after raising)"
    return Entry(first, "delivered", None, text)


def timeline_for(alert: Alert, *, names: bool = False) -> list[Entry]:
    """Everything that happened during `alert`, oldest first: raised, delivered (summarized), acknowledged,
    escalated, threat locations, room statuses, messages, all clear, rooms released, or cancel. Students'
    names only with names=True (for those allowed; the caller audits the read)."""
    from schoolsafe.events.models import Event

    events = list(
        Event.objects.filter(subject_type="alerts.alert", subject_id=str(alert.pk)).order_by("id")
        .only("id", "kind", "created_at", "audience", "data")
    )
    entries: list[Entry] = [Entry(alert.raised_at, "raised", name_of(alert.raised_by), raised_text(alert))]
    delivered = _delivery_entry(alert, events)
    if delivered is not None:
        entries.append(delivered)

    by_dispatch = {
        (e.data.get("user") or {}).get("id") for e in events if e.kind == "alert.acknowledged" and e.data.get("by_dispatch")
    }
    for ack in alert.acknowledgements.select_related("user"):
        text = "Acknowledged by dispatch" if ack.user_id in by_dispatch else "Acknowledged"
        entries.append(Entry(ack.at, "acknowledged", name_of(ack.user), text))

    escalations = [e for e in events if e.kind == "alert.escalated"]
    for event in escalations:
        info = event.data.get("escalation") or {}
        role = info.get("to_role") or ""
        text = f"Escalated to the {ROLE_NAMES.get(role, role.replace('_', ' ')) or 'escalation role'}"
        if info.get("timeout_seconds"):
            text += f": dispatch had not acknowledged within {info['timeout_seconds']} s"
        at = dt.datetime.fromisoformat(info["fired_at"]) if info.get("fired_at") else event.created_at
        entries.append(Entry(at, "escalated", None, text))
    if not escalations and alert.escalated_at is not None:
        entries.append(Entry(alert.escalated_at, "escalated", None, "Escalated"))

    for report in alert.reports.filter(merged=True).select_related("reported_by"):
        where = ", ".join(p for p in (report.building and f"building {report.building}",
                                      report.room and f"room {report.room}") if p)
        text = f"Also reported: {report.get_action_display()}" + (f" at {where}" if where else "")
        if report.note:
            text += f": {report.note}"
        if report.flood:
            text += " (flagged: possible flood)"
        entries.append(Entry(report.at, "report", name_of(report.reported_by), text))
    if alert.flood_flagged_at is not None:
        entries.append(Entry(alert.flood_flagged_at, "flood", None,
                             "Possible alert flood: one person or device reported more often than the flood rate; "
                             "the reports were merged into this incident, none refused"))
    for event in events:
        if event.kind == "alert.action_changed":
            text = (f"Action changed from {str(event.data.get('previous_action') or '').capitalize()} to "
                    f"{str(event.data.get('action') or '').capitalize()}")
            if event.data.get("change_reason"):
                text += f": {event.data['change_reason']}"
            entries.append(Entry(event.created_at, "action_changed", (event.data.get("changed_by") or {}).get("name"),
                                 text))
    if alert.cancel_requested_at is not None:
        entries.append(Entry(alert.cancel_requested_at, "cancel_requested", name_of(alert.cancel_requested_by),
                             "Cancellation requested; police dispatch must confirm it by call-back"))
    for status in alert.room_statuses.select_related("reported_by").order_by("reported_at", "id"):
        entries.append(Entry(status.reported_at, "room_status", name_of(status.reported_by),
                             room_status_text(status, names)))
    for threat in alert.threat_locations.select_related("reported_by").order_by("reported_at", "id"):
        text = f"Threat location reported: {threat.location}" + (f". {threat.note}" if threat.note else "")
        entries.append(Entry(threat.reported_at, "threat_location", name_of(threat.reported_by), text))
    for release in alert.room_releases.select_related("released_by").order_by("released_at", "id"):
        text = ROOM_RELEASED["en"].format(room=release.room, name=name_of(release.released_by))
        entries.append(Entry(release.released_at, "room_released", name_of(release.released_by), text))
    for message in alert.messages.select_related("author").order_by("at", "id"):
        entries.append(Entry(message.at, "message", name_of(message.author), message.text))

    if alert.all_clear_at is not None:
        text = "All clear given"
        if alert.all_clear_on_behalf_of:
            text += f" on behalf of the incident commander, {alert.all_clear_on_behalf_of}"
        if alert.all_clear_concurring_officer:
            text += f" with the concurrence of officer {alert.all_clear_concurring_officer}"
        text += f". {all_clear_text(alert)}" if alert.action == "lockdown" else ""
        entries.append(Entry(alert.all_clear_at, "all_clear", name_of(alert.all_clear_by), text))
    if alert.cancelled_at is not None:
        text = "Alert cancelled"
        if alert.cancel_confirmation:
            text += f" after dispatch's call-back (reached: {alert.cancel_confirmation})"
        entries.append(Entry(alert.cancelled_at, "cancelled", name_of(alert.cancelled_by), text))
    # Stable: entries of one kind keep their own order (by id) when their times are equal.
    return sorted(entries, key=lambda e: (e.at, _RANK[e.kind]))
