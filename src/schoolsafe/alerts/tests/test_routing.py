"""Routing by action, drill windows, and escalation only to people who may see the alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import ActionRoute, Alert, DrillWindow, EscalationPolicy, EscalationTimer
from schoolsafe.alerts.routing import DEFAULT_ROUTES
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.alerts.tests.incident import escalate
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.audience import users_for_keys
from schoolsafe.events.models import Event
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.models import Notification
from schoolsafe.testing.factories import AgencyFactory
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db

BODIES = {
    "hold": {"action": "hold"},
    "secure": {"action": "secure"},
    "lockdown": {"action": "lockdown"},
    "evacuate": {"action": "evacuate", "evacuate_to": "the football field"},
    "shelter": {"action": "shelter", "hazard": "tornado"},
}


@pytest.fixture
def separate(settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # one incident per raise, to compare routes side by side


def raise_each(api, teacher, school, **extra):
    out = {}
    for action, body in BODIES.items():
        response = api(teacher).post(ALERTS_URL, lockdown(school, **body, **extra))
        assert response.status_code == 201, response.content
        out[action] = Alert.objects.get(pk=response.json()["id"])
    return out


def test_the_default_routes(api, world, teacher_a, dispatcher, principal_a, sro_a, separate):
    alerts = raise_each(api, teacher_a, world.school_a)
    seen = {action: api(dispatcher).get(f"{ALERTS_URL}/{a.pk}").status_code for action, a in alerts.items()}
    timers = {action: EscalationTimer.objects.filter(alert=a).exists() for action, a in alerts.items()}
    routed = {action: (a.reach, a.dispatch) for action, a in alerts.items()}

    # Hold: the school's administrators and SRO; dispatch does not get it and nothing escalates.
    assert routed["hold"] == ("assist", "none") and seen["hold"] == 404 and not timers["hold"]
    assert api(principal_a).get(f"{ALERTS_URL}/{alerts['hold'].pk}").status_code == 200
    assert api(sro_a).get(f"{ALERTS_URL}/{alerts['hold'].pk}").status_code == 200
    # Secure: dispatch informed, no escalation.
    assert routed["secure"] == ("emergency", "informed") and seen["secure"] == 200 and not timers["secure"]
    # Lockdown: dispatch at top priority, escalated.
    assert routed["lockdown"] == ("emergency", "top") and seen["lockdown"] == 200 and timers["lockdown"]
    # Evacuate: dispatch responds, escalated.
    assert routed["evacuate"] == ("emergency", "priority") and seen["evacuate"] == 200 and timers["evacuate"]
    # Shelter (weather): informational.
    assert routed["shelter"] == ("emergency", "informed") and seen["shelter"] == 200 and not timers["shelter"]
    # The console's list (the stream's audience) agrees with the API.
    listed = {a["id"] for a in api(dispatcher).get(ALERTS_URL).json()["items"]}
    assert listed == {alerts[a].pk for a in ("secure", "lockdown", "evacuate", "shelter")}
    hold_event = Event.objects.get(kind="alert.raised", subject_id=str(alerts["hold"].pk))
    assert not any(key.startswith("agency:") for key in hold_event.audience)
    assert set(DEFAULT_ROUTES) == set(BODIES)


def test_an_agency_routes_hold_to_dispatch_and_evacuate_to_fire_and_ems(api, world, teacher_a, dispatcher, separate,
                                                                       settings):
    settings.SCHOOLSAFE_NOTIFY_KICK = False
    fire = AgencyFactory(name="County Fire and EMS")
    do_create_channel("admin", fire, "email", name="Fire dispatch", event_kinds=["alert.raised"],
                      recipients="fire@county.test")
    ActionRoute.objects.create(agency=world.agency_a, action="hold", tier="assist", dispatch="informed", escalate=False)
    evacuate = ActionRoute.objects.create(agency=world.agency_a, action="evacuate", dispatch="priority", escalate=True)
    evacuate.also_notify.add(fire)

    alerts = raise_each(api, teacher_a, world.school_a)

    assert alerts["hold"].dispatch == "informed"
    assert api(dispatcher).get(f"{ALERTS_URL}/{alerts['hold'].pk}").status_code == 200
    assert not EscalationTimer.objects.filter(alert=alerts["hold"]).exists()
    notified = [n for n in Notification.objects.all() if f"agency:{fire.pk}" in n.organizations]
    assert [n.payload["alert"]["action"] for n in notified] == ["evacuate"]


def test_a_districts_route_is_preferred_for_its_schools(api, world, teacher_a, separate):
    ActionRoute.objects.create(agency=world.agency_a, action="secure", dispatch="top", escalate=True)
    ActionRoute.objects.create(district=world.district_a, action="secure", dispatch="informed", escalate=False)
    alert = raise_each(api, teacher_a, world.school_a)["secure"]
    assert alert.dispatch == "informed" and not EscalationTimer.objects.filter(alert=alert).exists()


def test_an_exercise_without_a_drill_window_stays_at_school_and_never_escalates(api, world, teacher_a, principal_a,
                                                                               dispatcher, quick_escalation):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True))
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.dispatch == "none"
    assert not EscalationTimer.objects.exists()
    assert api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}").status_code == 404
    assert api(principal_a).get(f"{ALERTS_URL}/{alert.pk}").status_code == 200


def test_a_registered_drill_window_sends_exercises_to_dispatch_as_exercises(api, world, teacher_a, principal_a,
                                                                           dispatcher, teacher_b, quick_escalation):
    now = timezone.now()
    url = f"/api/v1/schools/{world.school_a.pk}/drill-windows"
    body = {"starts_at": (now - dt.timedelta(minutes=5)).isoformat(),
            "ends_at": (now + dt.timedelta(minutes=40)).isoformat(), "contact": "Principal Ortiz, 555-0100"}
    assert api(None).post(url, body).status_code == 401
    assert api(teacher_b).post(url, body).status_code == 404
    assert api(teacher_a).post(url, body).status_code == 403  # teachers do not schedule drills
    backwards = {**body, "ends_at": (now - dt.timedelta(minutes=10)).isoformat()}
    assert api(principal_a).post(url, backwards).status_code == 422
    registered = api(principal_a).post(url, body)
    assert registered.status_code == 201, registered.content
    assert registered.json()["contact"] == "Principal Ortiz, 555-0100"
    assert AuditEntry.objects.filter(action="alerts.register_drill_window").count() == 1
    # Dispatch sees the window (whom to call about the drill).
    assert [w["id"] for w in api(dispatcher).get(url).json()] == [registered.json()["id"]]
    assert api(teacher_b).get(url).status_code == 404

    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True))
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.exercise and alert.dispatch == "informed"
    assert api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}").json()["exercise"] is True
    assert not EscalationTimer.objects.filter(alert=alert).exists()  # exercises never escalate

    # Once the window is over, a drill stays in the building again.
    DrillWindow.objects.update(ends_at=now - dt.timedelta(seconds=1), starts_at=now - dt.timedelta(minutes=50))
    api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/all-clear")
    later = Alert.objects.get(pk=api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True)).json()["id"])
    assert later.pk != alert.pk and later.dispatch == "none"


def test_25_13_escalation_reaches_only_people_who_may_see_the_alert(api, world, teacher_a, supervisor_a):
    """A policy escalating to agency administrators (a back-office role that gets 404 on
    the alert) escalates to the police supervisor instead."""
    agency_admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    EscalationPolicy.objects.create(agency=world.agency_a, ack_timeout_seconds=1, escalate_to_role="agency_admin")
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
    alert = Alert.objects.get(pk=response.json()["id"])

    escalate(alert)

    event = Event.objects.get(kind="alert.escalated")
    recipients = set(users_for_keys(event.audience).values_list("pk", flat=True))
    assert agency_admin.pk not in recipients
    assert api(agency_admin).get(f"{ALERTS_URL}/{alert.pk}").status_code == 404
    assert supervisor_a.pk in recipients
    assert event.data["escalation"]["to_role"] == "police_supervisor"
    assert event.data["escalation"]["policy_role"] == "agency_admin"
    # Everyone it reached may open it.
    for user_id in recipients:
        from schoolsafe.accounts.models import User

        assert Alert.objects.restrict(User.objects.get(pk=user_id), "view").filter(pk=alert.pk).exists()


def test_an_escalation_timer_of_an_alert_routed_away_from_dispatch_reaches_no_agency(world, teacher_a, settings):
    school = actions.load_school(world.school_a.pk)
    ActionRoute.objects.create(agency=world.agency_a, action="hold", tier="emergency", dispatch="none", escalate=True)
    alert, _ = actions.do_raise_alert(teacher_a, school, action="hold")
    assert alert.dispatch == "none" and not EscalationTimer.objects.filter(alert=alert).exists()
