"""Tips to police dispatch reach the console (an event for the serving dispatch) and the
notification channels, and an urgent tip nobody claims while no analyst is on call goes there too. What
dispatch is sent names the tip, never its text or code."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.models import Delivery, Notification
from schoolsafe.testing.personas import client_for
from schoolsafe.tips.actions import do_route_tip, sweep_due_tips
from schoolsafe.tips.models import Destination, OnCallShift, TipRoute
from schoolsafe.tips.tests.factories import TipFactory

WHAT = "Jordan has a gun in his locker, number 214"


def urgent_tip(world, minutes_ago: float):
    received = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return TipFactory(school=world.school_a, category="weapon", urgent=True, urgency_score=100, received_at=received,
                      deadline=received + dt.timedelta(hours=1), what=WHAT, where_text="locker 214")


def dispatch_channel(world, dispatcher):
    from schoolsafe.testing.personas import make_person

    admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    channel, _ = do_create_channel(admin, world.agency_a, "email", name="Dispatch floor", event_kinds=["tip.dispatch"],
                                   recipients="floor@agency-a.example")
    return channel


def assert_names_the_tip_only(tip, *texts: str) -> None:
    for text in texts:
        assert WHAT not in text and "locker" not in text and tip.code not in text


def test_12_9_a_tip_routed_to_police_reaches_the_dispatch_console_and_channels(world, analyst_a, dispatcher):
    channel = dispatch_channel(world, dispatcher)
    tip = urgent_tip(world, 1)
    do_route_tip(analyst_a, tip, Destination.POLICE, note="armed student")
    event = Event.objects.get(kind="tip.dispatch")
    assert sorted(event.audience) == [f"agency:{world.agency_a.pk}:dispatcher", f"agency:{world.agency_a.pk}:police_supervisor"]
    assert event.data["tip_id"] == tip.pk and event.data["school"]["name"] == "School A High"
    assert event.data["category_label"] == "Weapon" and event.data["acknowledged_at"] is None
    notification = Notification.objects.get(event_kind="tip.dispatch")
    assert notification.subject == "Urgent tip for dispatch: Weapon at School A High"
    assert Delivery.objects.filter(notification=notification, channel=channel).count() == 1
    assert_names_the_tip_only(tip, json.dumps(event.data), notification.subject, notification.text,
                              json.dumps(notification.payload))

    # The console's list: the dispatcher sees the item; a teacher or another agency's dispatcher does not.
    listed = client_for(dispatcher).get("/api/v1/tips/dispatch").json()
    assert [t["tip_id"] for t in listed] == [tip.pk]
    assert_names_the_tip_only(tip, json.dumps(listed))


@pytest.mark.parametrize("persona", ["teacher_a", "dispatcher_b", "analyst_a"])
def test_12_9_only_the_serving_dispatch_lists_and_acknowledges(world, analyst_a, persona, request):
    tip = urgent_tip(world, 1)
    do_route_tip(analyst_a, tip, Destination.POLICE)
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/api/v1/tips/dispatch").json() == []
    # The analyst sees the tip, so is told "you may not" (403); the others do not see it at all (404).
    expected = 403 if persona == "analyst_a" else 404
    assert client.post(f"/api/v1/tips/{tip.pk}/dispatch-acknowledge").status_code == expected


def test_12_9_dispatch_acknowledges_once_and_every_console_hears_it(world, analyst_a, dispatcher):
    tip = urgent_tip(world, 1)
    do_route_tip(analyst_a, tip, Destination.POLICE)
    client = client_for(dispatcher)
    first = client.post(f"/api/v1/tips/{tip.pk}/dispatch-acknowledge")
    assert first.status_code == 200 and first.json()["acknowledged_by"] == dispatcher.display_name
    again = client.post(f"/api/v1/tips/{tip.pk}/dispatch-acknowledge")
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert Event.objects.filter(kind="tip.dispatch_acknowledged").count() == 1
    assert AuditEntry.objects.filter(action="tips.acknowledge_dispatch").count() == 1
    assert client.get("/api/v1/tips/dispatch").json()[0]["acknowledged_at"] == first.json()["acknowledged_at"]
    assert client.post("/api/v1/tips/dispatch-acknowledge").status_code in (404, 405)


def test_12_9_an_urgent_tip_unclaimed_with_nobody_on_call_goes_to_the_serving_dispatch(world, analyst_a, dispatcher):
    channel = dispatch_channel(world, dispatcher)
    fresh, late = urgent_tip(world, 4), urgent_tip(world, 6)
    assert sweep_due_tips().escalated == 1
    route = TipRoute.objects.get(destination=Destination.POLICE)
    assert route.tip == late and route.routed_by is None
    assert route.note == "urgent, not claimed within 5 minutes, no analyst on call"
    event = Event.objects.get(kind="tip.dispatch")
    assert event.data["tip_id"] == late.pk and event.data["reason"] == route.note
    notification = Notification.objects.get(event_kind="tip.dispatch")
    assert Delivery.objects.filter(notification=notification, channel=channel).count() == 1
    assert_names_the_tip_only(late, json.dumps(event.data), notification.text)
    assert AuditEntry.objects.get(action="tips.route_tip").summary == {"destination": "police", "automatic": True}
    # Dispatch can open it now (the policy: tips routed to police), and the page says it was automatic.
    page = client_for(dispatcher).get(f"/tips/{late.pk}/").content.decode()
    assert "automatic: urgent, not claimed within 5 minutes" in page
    assert not TipRoute.objects.filter(tip=fresh).exists()
    assert sweep_due_tips().escalated == 0 and Event.objects.filter(kind="tip.dispatch").count() == 1


def test_12_9_with_an_analyst_on_call_the_tip_goes_to_them_not_to_dispatch(world, analyst_a, dispatcher):
    now = timezone.now()
    OnCallShift.objects.create(user=analyst_a, district=world.district_a, starts_at=now - dt.timedelta(hours=1),
                               ends_at=now + dt.timedelta(hours=1))
    urgent_tip(world, 6)
    assert sweep_due_tips().escalated == 1
    assert not TipRoute.objects.exists() and not Event.objects.filter(kind="tip.dispatch").exists()
