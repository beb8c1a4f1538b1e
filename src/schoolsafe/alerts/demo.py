"""Demo alert: one lockdown drill at the demo's high school, run through to the all clear and the release of
its rooms when the demo data is loaded, so that the incident page, its status board, timeline, delivery
report and ICS 214 log have something to show. An exercise, and ended: the demo has no active alert, and no
escalation fires while someone explores it. Written through the same actions as a real alert (events, audit
rows and all).

A drill takes minutes, not the milliseconds the loader takes: the principal starts it at 10:00 the day before
the demo was loaded (school time), and each step is then placed where it would fall in a twelve-minute drill
(the incident's own rows and events; the audit log keeps the true time at which the demo was written, as it
must).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from schoolsafe.accounts.models import User
from schoolsafe.alerts.actions import (
    do_acknowledge_alert,
    do_give_all_clear,
    do_post_alert_message,
    do_raise_alert,
    do_register_drill_window,
    do_release_room,
    do_report_room_status,
    do_report_threat_location,
    load_school,
)
from schoolsafe.alerts.models import (
    Acknowledgement,
    Alert,
    AlertMessage,
    AlertReport,
    DrillWindow,
    EscalationTimer,
    RoomRelease,
    RoomStatus,
    ThreatLocation,
)

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


DEMO_REASON = "Quarterly lockdown drill (demo data)"


def _start(school: Any) -> dt.datetime:
    """10:00 school time, the day before today."""
    try:
        zone: dt.tzinfo = ZoneInfo(school.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    day = timezone.now().astimezone(zone).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)


def _shift_times(data: Any, delta: dt.timedelta) -> Any:
    """The event payload with every time in it ("at", "*_at") moved by `delta`."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if (key == "at" or key.endswith("_at")) and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = (dt.datetime.fromisoformat(value) + delta).isoformat()
            out[key] = _shift_times(value, delta)
        return out
    if isinstance(data, list):
        return [_shift_times(v, delta) for v in data]
    return data


def _place(alert: Alert, steps: list[tuple[int, Any, str, int | None]], start: dt.datetime) -> None:
    """Move each step (seconds after the start, the row's model, its time field, the row's id) and the
    event it wrote to where it falls in the drill."""
    from schoolsafe.events.models import Event

    events = list(Event.objects.filter(subject_type="alerts.alert", subject_id=str(alert.pk)).order_by("id"))
    if len(events) != len(steps):  # pragma: no cover - a step that wrote no event, or two
        return
    for (seconds, model, field, pk), event in zip(steps, events, strict=True):
        at = start + dt.timedelta(seconds=seconds)
        delta = at - event.created_at
        if model is not None:
            model.objects.filter(pk=pk).update(**{field: at})
        Event.objects.filter(pk=event.pk).update(created_at=at, data=_shift_times(event.data, delta))
    # Dispatch acknowledged 25 s in: the timer (if the drill had one) was stopped before it was due.
    EscalationTimer.objects.filter(alert=alert, fired_at__isnull=True).update(
        created_at=start, due_at=start + dt.timedelta(seconds=30), cancelled_at=start + dt.timedelta(seconds=25))


def load_alerts_demo(school: Any) -> bool:
    """Run the drill once at `school`. True when it was created."""
    if Alert.objects.filter(school=school, reason=DEMO_REASON).exists():
        return False
    people = {u.username: u for u in User.objects.filter(username__in=["teacher", "principal", "sro", "dispatcher"])}
    ref = load_school(school.pk)
    assert ref is not None
    # (seconds after the start, model, time field, id): one per event, in the order the events are written.
    steps: list[tuple[int, Any, str, int | None]] = []
    with transaction.atomic():
        # A drill reaches dispatch (as an exercise) only inside a registered drill window (alerts/routing.py).
        now = timezone.now()
        window = do_register_drill_window(people["principal"], ref, starts_at=now - dt.timedelta(minutes=5),
                                          ends_at=now + dt.timedelta(minutes=55), contact="Principal, main office")
        # The principal starts the drill from the office, as SRP drills are announced.
        alert, _ = do_raise_alert(people["principal"], ref, action="lockdown", tier="emergency", reason=DEMO_REASON,
                                  building="Main", room="Main office", exercise=True)
        steps.append((0, Alert, "raised_at", alert.pk))
        ack = do_acknowledge_alert(people["dispatcher"], alert)[0]
        steps.append((25, Acknowledgement, "at", ack.pk))
        ack = do_acknowledge_alert(people["sro"], alert)[0]
        steps.append((50, Acknowledgement, "at", ack.pk))
        message = do_post_alert_message(people["dispatcher"], alert, "Drill noted. No units responding: exercise only.")
        steps.append((95, AlertMessage, "at", message.pk))
        report = do_report_room_status(people["teacher"], alert, room="Room 212", status="ok", present=27, staff=1)
        steps.append((190, RoomStatus, "reported_at", report.pk))
        report = do_report_room_status(people["principal"], alert, room="Main office", status="ok", present=0,
                                       staff=4, visitors=1, note="Front doors locked, visitor log closed")
        steps.append((245, RoomStatus, "reported_at", report.pk))
        threat = do_report_threat_location(people["sro"], alert, "Near the gym (drill inject)",
                                           "Simulated: loud bangs reported by the custodian")
        steps.append((390, ThreatLocation, "reported_at", threat.pk))
        message = do_post_alert_message(people["principal"], alert, "All classrooms locked; hallway sweep done.")
        steps.append((520, AlertMessage, "at", message.pk))
        # Law enforcement ends the lockdown, then releases the rooms in person, one by one (SRP).
        do_give_all_clear(people["sro"], alert)
        steps.append((600, Alert, "all_clear_at", alert.pk))
        release = do_release_room(people["sro"], alert, "Main office")
        steps.append((660, RoomRelease, "released_at", release.pk))
        release = do_release_room(people["sro"], alert, "Room 212", "Released in person; students back to class")
        steps.append((720, RoomRelease, "released_at", release.pk))
        start = _start(school)
        _place(alert, steps, start)
        # The window and the first report stand where the drill does.
        DrillWindow.objects.filter(pk=window.pk).update(
            starts_at=start - dt.timedelta(minutes=5), ends_at=start + dt.timedelta(minutes=55),
            registered_at=start - dt.timedelta(days=2))
        AlertReport.objects.filter(alert=alert).update(at=start)
    return True


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): the ended lockdown drill at Cedar Falls High."""
    return load_alerts_demo(county.schools[county.school_a])
