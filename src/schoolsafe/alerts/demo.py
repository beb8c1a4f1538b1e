"""Demo alert: one lockdown drill at the demo's high school, run through to the all clear when the demo data
is loaded, so that the incident page, its status board, timeline, delivery report and ICS 214 log have
something to show. An exercise, and ended: the demo has no active alert, and no escalation fires while
someone explores it. Written through the same actions as a real alert (events, audit rows and all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from schoolsafe.accounts.models import User
from schoolsafe.alerts.actions import (
    do_acknowledge_alert,
    do_give_all_clear,
    do_post_alert_message,
    do_raise_alert,
    do_register_drill_window,
    do_report_room_status,
    load_school,
)
from schoolsafe.alerts.models import Alert

DEMO_REASON = "Quarterly lockdown drill (demo data)"


def load_alerts_demo(school: Any) -> bool:
    """Run the drill once at `school`. True when it was created."""
    if Alert.objects.filter(school=school, reason=DEMO_REASON).exists():
        return False
    people = {u.username: u for u in User.objects.filter(username__in=["teacher", "principal", "sro", "dispatcher"])}
    ref = load_school(school.pk)
    assert ref is not None
    # A drill reaches dispatch (as an exercise) only inside a registered drill window (alerts/routing.py).
    now = timezone.now()
    do_register_drill_window(people["principal"], ref, starts_at=now - dt.timedelta(minutes=5),
                             ends_at=now + dt.timedelta(minutes=55), contact="Principal, main office")
    alert, _ = do_raise_alert(people["teacher"], ref, action="lockdown", tier="emergency", reason=DEMO_REASON,
                              building="Main", room="Room 212", exercise=True)
    do_acknowledge_alert(people["dispatcher"], alert)
    do_acknowledge_alert(people["sro"], alert)
    do_report_room_status(people["teacher"], alert, room="Room 212", status="ok", present=27)
    do_report_room_status(people["principal"], alert, room="Main office", status="ok", present=4,
                          note="Front doors locked, visitor log closed")
    do_post_alert_message(people["dispatcher"], alert, "Drill noted. No units responding: exercise only.")
    do_post_alert_message(people["principal"], alert, "All classrooms locked; hallway sweep done.")
    do_give_all_clear(people["principal"], alert)
    return True
