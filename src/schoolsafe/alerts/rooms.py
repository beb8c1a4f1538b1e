"""Accounting for all persons during an incident: the rooms a school expects to hear from, and the board
of their latest reports.

The expected rooms of a school are the distinct non-empty `room` values in the profiles of the people
with a staff, school_admin or officer membership there (the rooms people teach and work in), plus any
room that has reported during this alert (a group on the field, a bus). Rooms are matched ignoring case
and spacing, so "c-12" and "C-12 " are one room; the board shows the name as first written.

Students' names (missing, extra) are shown only to those who run the response (the `student_names`
permission, the same people who may export the ICS 214 log that also names them), and each read that shows
names is audited by the caller; everyone else sees counts.
"""

from __future__ import annotations

from typing import Any

from schoolsafe.alerts.models import Alert, RoomRelease, RoomState, RoomStatus, ThreatLocation
from schoolsafe.alerts.serialize import iso, person

# The memberships whose profile room is a room the school expects a report from.
ROOM_ROLES = ("staff", "school_admin", "officer")


def room_key(name: str) -> str:
    """The name a room is matched by: trimmed, inner spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def expected_rooms(school_id: int) -> list[str]:
    """The rooms in the profiles of the school's active staff, admins and SRO (one name per room)."""
    from schoolsafe.accounts.models import User

    names = (
        User.objects.filter(is_active=True, memberships__school_id=school_id, memberships__role__in=ROOM_ROLES)
        .exclude(room="")
        .values_list("room", flat=True)
        .distinct()
    )
    rooms: dict[str, str] = {}
    for name in sorted(names):
        cleaned = " ".join(name.split())
        if cleaned:
            rooms.setdefault(room_key(cleaned), cleaned)
    return sorted(rooms.values(), key=room_key)


def room_status_json(report: RoomStatus, *, names: bool = True) -> dict[str, Any]:
    """One report as JSON (the API's answer; with names=False the payload of its `alert.room_status` event
    and the board of those who may not read students' names: counts only)."""
    return {
        "id": report.pk,
        "room": report.room,
        "status": report.status,
        "present": report.present,
        "staff": report.staff,
        "visitors": report.visitors,
        "injured": report.injured,
        "missing": list(report.missing or []) if names else [],
        "extra": list(report.extra or []) if names else [],
        "missing_count": len(report.missing or []),
        "extra_count": len(report.extra or []),
        "names_withheld": not names and bool(report.missing or report.extra),
        "note": report.note,
        "reported_by": person(report.reported_by),
        "reported_at": iso(report.reported_at),
    }


def latest_reports(alert: Alert) -> list[RoomStatus]:
    """The latest report of each room that has reported, ordered by room name."""
    latest: dict[str, RoomStatus] = {}
    for report in alert.room_statuses.select_related("reported_by").order_by("reported_at", "id"):
        latest[room_key(report.room)] = report
    return sorted(latest.values(), key=lambda r: room_key(r.room))


def room_release_json(release: RoomRelease) -> dict[str, Any]:
    """One room's release (the API's answer and the payload of its `alert.room_released` event)."""
    return {"id": release.pk, "room": release.room, "released_by": person(release.released_by),
            "released_at": iso(release.released_at), "note": release.note}


def threat_location_json(report: ThreatLocation) -> dict[str, Any]:
    """One threat location report (the API's answer and the payload of its `alert.threat_location` event)."""
    return {"id": report.pk, "location": report.location, "note": report.note,
            "reported_by": person(report.reported_by), "reported_at": iso(report.reported_at)}


def release_board(alert: Alert, rooms: list[str]) -> dict[str, Any]:
    """For a lockdown: each room released in person or not yet (SRP lockdown release), over `rooms` and
    every room released."""
    releases = {room_key(r.room): r for r in alert.room_releases.select_related("released_by")}
    names: dict[str, str] = {}
    for name in [*rooms, *(r.room for r in releases.values())]:
        names.setdefault(room_key(name), name)
    ordered = sorted(names.items(), key=lambda item: item[0])
    return {
        "required": alert.action == "lockdown",
        "released": [room_release_json(releases[key]) for key, _ in ordered if key in releases],
        "not_released": [name for key, name in ordered if key not in releases],
    }


def room_board(alert: Alert, *, names: bool = False) -> dict[str, Any]:
    """The status board: the latest report per room, the expected rooms that have not reported, counts, and
    for a lockdown which rooms are released. Students' names only with names=True (see the module's note)."""
    reports = latest_reports(alert)
    reported = {room_key(r.room) for r in reports}
    not_reported = [name for name in expected_rooms(alert.school_id) if room_key(name) not in reported]
    by_status = {state.value: 0 for state in RoomState}
    for report in reports:
        by_status[report.status] = by_status.get(report.status, 0) + 1
    release = release_board(alert, [r.room for r in reports] + not_reported) if alert.action == "lockdown" else None
    return {
        "alert": alert.pk,
        "rooms": [room_status_json(r, names=names) for r in reports],
        "not_reported": not_reported,
        "release": release,
        "counts": {
            "rooms": len(reports) + len(not_reported),
            "reported": len(reports),
            "not_reported": len(not_reported),
            "by_status": by_status,
            # People, summed over each room's latest report.
            "present": sum(r.present or 0 for r in reports),
            # Adults are accounted for too (staff and visitors), each room's latest report.
            "staff": sum(r.staff or 0 for r in reports),
            "visitors": sum(r.visitors or 0 for r in reports),
            "adults": sum((r.staff or 0) + (r.visitors or 0) for r in reports),
            "injured": sum(r.injured or 0 for r in reports),
            "missing": sum(len(r.missing or []) for r in reports),
            "extra": sum(len(r.extra or []) for r in reports),
        },
    }
