"""One incident per emergency: raises at one school join the incident
already open as reports; a more protective action changes the incident, with a CAP Update; a flood of
raises is flagged and merged, never refused; the school's current state is one answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from lxml import etree

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import Alert, AlertReport, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.models import Delivery, Notification
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parents[4].parent / "shared" / "standards" / "cap" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


@pytest.fixture
def channels(world, settings):
    """School A's office e-mail and agency A's CAD webhook carry raised alerts (sending is not started)."""
    settings.SCHOOLSAFE_NOTIFY_KICK = False
    settings.SCHOOLSAFE_NOTIFY_ALLOW_HTTP = True
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True  # the CAD receiver is on this machine
    do_create_channel("admin", world.school_a, "email", name="Office", event_kinds=["alert.raised"],
                      recipients="office@school-a.test, principal@school-a.test")
    do_create_channel("admin", world.agency_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                      url="http://127.0.0.1:9/cad")


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"the OASIS CAP 1.2 schema is not at {XSD}")
    return etree.XMLSchema(etree.parse(str(XSD)))


def cap(api, user, alert_id: int, n: int, schema) -> etree._Element:
    response = api(user).get(f"{ALERTS_URL}/{alert_id}/cap.xml", n=n)
    assert response.status_code == 200, response.content
    doc = etree.fromstring(response.content)
    assert schema.validate(doc), schema.error_log
    return doc


def text(doc, path: str) -> str | None:
    found = doc.find(path, NS)
    return found.text if found is not None else None


def test_twenty_raises_of_a_lockdown_make_one_incident_with_twenty_reports(api, world, dispatcher, channels):
    teachers = [make_person(f"teacher_{n}", "staff", world.school_a, "school") for n in range(20)]

    answers = [api(t).post(ALERTS_URL, lockdown(world.school_a, location={"room": f"B-{n}"}))
               for n, t in enumerate(teachers)]

    assert [a.status_code for a in answers] == [201] * 20
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 1 and Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert [a.json()["merged"] for a in answers] == [False] + [True] * 19
    reports = list(alert.reports.order_by("id"))
    assert len(reports) == 20 and [r.room for r in reports] == [f"B-{n}" for n in range(20)]
    assert {r.reported_by_id for r in reports} == {t.pk for t in teachers}
    # One escalation timer, one alert.raised to the audience, one set of messages out of the building.
    assert EscalationTimer.objects.filter(alert=alert).count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1
    assert Event.objects.filter(kind="alert.report").count() == 19
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 3  # two e-mail recipients and the CAD webhook, once
    assert not alert.flood_flagged_at and not AlertReport.objects.filter(flood=True).exists()
    # Dispatch reads the reports with the incident.
    listed = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/reports").json()
    assert len(listed) == 20 and listed[5]["room"] == "B-5" and listed[5]["merged"] is True
    timeline = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]
    assert sum(1 for e in timeline if e["kind"] == "report") == 19


def test_after_the_merge_window_a_raise_opens_a_new_incident(api, world, teacher_a, principal_a, settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 600
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        first = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()
        traveller.shift(dt.timedelta(seconds=590))
        joined = api(principal_a).post(ALERTS_URL, lockdown(world.school_a)).json()
        # The window runs from the incident's latest report: 590 s after the join is still within it.
        traveller.shift(dt.timedelta(seconds=590))
        again = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()
        traveller.shift(dt.timedelta(seconds=601))
        new = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()
    assert joined["id"] == again["id"] == first["id"] and joined["merged"] and again["merged"]
    assert new["id"] != first["id"] and new["merged"] is False
    # Another school's raise never joins school A's incident.
    other = api(make_person("t_a2", "staff", world.school_a2, "school")).post(ALERTS_URL, lockdown(world.school_a2))
    assert other.json()["merged"] is False


def test_an_ended_incident_takes_no_more_reports(api, world, teacher_a, dispatcher):
    first = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()
    ended = api(dispatcher).post(f"{ALERTS_URL}/{first['id']}/all-clear", {"on_behalf_of": "Sgt. Lee, incident commander"})
    assert ended.status_code == 200
    second = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()
    assert second["id"] != first["id"] and second["merged"] is False


def test_25_9_a_flood_from_one_person_is_flagged_and_merged_never_refused(api, world, teacher_a, dispatcher, settings):
    settings.SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE = 5
    client = api(teacher_a)
    answers = [client.post(ALERTS_URL, lockdown(world.school_a)) for _ in range(8)]

    assert [a.status_code for a in answers] == [201] * 8  # a real emergency is never refused
    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert [r.flood for r in alert.reports.order_by("id")] == [False] * 5 + [True] * 3
    assert alert.flood_flagged_at is not None and answers[-1].json()["flood_flagged_at"] is not None
    assert EscalationTimer.objects.filter(alert=alert).count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1
    assert AuditEntry.objects.filter(action="alerts.flag_flood").count() == 3
    shown = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}").json()
    assert shown["flood_flagged_at"] is not None
    entries = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]
    assert any(e["kind"] == "flood" and "Possible alert flood" in e["text"] for e in entries)
    assert sum(1 for e in entries if e["kind"] == "report" and "possible flood" in e["text"]) == 3


def test_25_9_a_flood_from_one_device_is_flagged_whoever_presses(world, settings):
    """A shared device (a hallway button, a front-office tablet) pressed by several people."""
    settings.SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE = 3
    school = actions.load_school(world.school_a.pk)
    people = [make_person(f"staff_{n}", "staff", world.school_a, "school") for n in range(5)]
    for person in people:
        actions.do_raise_alert(person, school, action="lockdown", device="button:hall-3")
    assert [r.flood for r in AlertReport.objects.order_by("id")] == [False, False, False, True, True]
    assert Alert.objects.get().flood_flagged_at is not None


def test_secure_lockdown_evacuate_keeps_one_incident_with_cap_updates(api, world, teacher_a, principal_a, sro_a,
                                                                      dispatcher, channels, schema):
    secure = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="secure", reason="police activity"))
    assert secure.status_code == 201
    alert_id = secure.json()["id"]
    assert not EscalationTimer.objects.exists()  # a Secure informs dispatch, no escalation

    # A second person raises a Lockdown: the incident becomes a lockdown.
    locked = api(principal_a).post(ALERTS_URL, lockdown(world.school_a, reason="shots heard near the gym"))
    assert locked.status_code == 201
    assert locked.json()["id"] == alert_id and locked.json()["merged"] is True
    assert locked.json()["action"] == "lockdown"
    assert EscalationTimer.objects.filter(alert_id=alert_id).count() == 1  # the lockdown's route escalates

    # A lesser action now joins as a report and changes nothing.
    held = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="hold", tier="assist"))
    assert held.json()["id"] == alert_id and held.json()["action"] == "lockdown"

    # The officer on scene moves everyone out.
    evacuate = api(sro_a).post(f"{ALERTS_URL}/{alert_id}/action",
                               {"action": "evacuate", "evacuate_to": "the football field", "reason": "fire in C"})
    assert evacuate.status_code == 200, evacuate.content
    assert evacuate.json()["action"] == "evacuate"
    assert Alert.objects.count() == 1
    assert EscalationTimer.objects.filter(alert_id=alert_id).count() == 1  # still pending: not a second one

    # Going back down is not a change of action: that is an all clear and a new alert.
    down = api(sro_a).post(f"{ALERTS_URL}/{alert_id}/action", {"action": "secure"})
    assert down.status_code == 409 and "not more protective" in down.json()["detail"]
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert_id}/action", {"action": "shelter"}).status_code == 422

    first, second, third = (cap(api, dispatcher, alert_id, n, schema) for n in (1, 2, 3))
    assert text(first, "cap:msgType") == "Alert"
    # Each message as it was sent: the first was a Secure.
    assert text(first, "cap:info/cap:headline") == "SECURE at School A High"
    assert text(second, "cap:msgType") == text(third, "cap:msgType") == "Update"
    assert text(second, "cap:info/cap:headline") == "UPDATE: LOCKDOWN at School A High"
    assert "Changed from SECURE to LOCKDOWN" in text(second, "cap:note")
    assert text(third, "cap:info/cap:headline") == "UPDATE: EVACUATE at School A High"
    assert text(third, "cap:info/cap:responseType") == "Evacuate"
    assert "the football field" in text(third, "cap:info/cap:instruction")
    reference = f"{text(first, 'cap:sender')},{text(first, 'cap:identifier')},{text(first, 'cap:sent')}"
    reference2 = f"{text(second, 'cap:sender')},{text(second, 'cap:identifier')},{text(second, 'cap:sent')}"
    assert text(second, "cap:references") == reference
    assert text(third, "cap:references") == f"{reference} {reference2}"
    assert text(first, "cap:incidents") == text(third, "cap:incidents")
    # A new notification for each change, through the channels that carry raised alerts.
    assert list(Notification.objects.order_by("id").values_list("event_kind", "subject")) == [
        ("alert.raised", "SECURE at School A High"),
        ("alert.action_changed", "NOW LOCKDOWN at School A High"),
        ("alert.action_changed", "NOW EVACUATE at School A High"),
    ]
    entries = api(dispatcher).get(f"{ALERTS_URL}/{alert_id}/timeline").json()["entries"]
    changes = [e["text"] for e in entries if e["kind"] == "action_changed"]
    assert changes == ["Action changed from Secure to Lockdown: shots heard near the gym",
                       "Action changed from Lockdown to Evacuate: fire in C"]


def test_any_action_may_become_a_shelter(api, world, teacher_a, dispatcher):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    changed = api(teacher_a).post(f"{ALERTS_URL}/{alert_id}/action", {"action": "shelter", "hazard": "tornado"})
    assert changed.status_code == 200
    assert (changed.json()["action"], changed.json()["hazard"], changed.json()["strategy"]) == \
        ("shelter", "tornado", "Evacuate to shelter area")


def test_changing_the_action_needs_the_right_to_raise(api, world, teacher_a, teacher_b, analyst_a, outsider):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="secure")).json()["id"]
    path = f"{ALERTS_URL}/{alert_id}/action"
    assert api(None).post(path, {"action": "lockdown"}).status_code == 401
    assert api(teacher_b).post(path, {"action": "lockdown"}).status_code == 404
    assert api(outsider).post(path, {"action": "lockdown"}).status_code == 404
    assert Alert.objects.get().action == "secure"


def test_the_schools_current_state_is_the_most_protective_action_in_force(api, world, teacher_a, principal_a,
                                                                         teacher_b, dispatcher, settings):
    url = f"/api/v1/schools/{world.school_a.pk}/state"
    assert api(teacher_a).get(url).json()["action"] is None

    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # two incidents: a drill and a real Secure
    drill = api(principal_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True)).json()
    secure = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="secure")).json()

    state = api(teacher_a).get(url).json()
    # A real Secure outranks a Lockdown drill.
    assert (state["action"], state["incident"], state["exercise"]) == ("secure", secure["id"], False)
    assert state["directive"] == "Get inside. Lock outside doors."
    assert sorted(state["incidents"]) == sorted([drill["id"], secure["id"]])
    api(teacher_a).post(f"{ALERTS_URL}/{secure['id']}/action", {"action": "lockdown"})
    assert api(dispatcher).get(url).json()["action"] == "lockdown"
    assert api(teacher_b).get(url).status_code == 404
    assert api(None).get(url).status_code == 401


def test_every_page_of_the_schools_people_shows_its_current_state(api, world, teacher_a, teacher_b, principal_a):
    from django.urls import reverse

    from schoolsafe.testing.personas import client_for

    home = reverse("home")
    assert "in force" not in client_for(teacher_a).get(home).content.decode()
    alert_id = api(principal_a).post(ALERTS_URL, lockdown(world.school_a, action="secure")).json()["id"]
    api(principal_a).post(f"{ALERTS_URL}/{alert_id}/action", {"action": "lockdown"})

    page = client_for(teacher_a).get(home).content.decode()
    assert "School A High: LOCKDOWN in force." in page and "Locks, lights, out of sight." in page
    assert f'data-incident="{alert_id}"' in page
    assert "in force" not in client_for(teacher_b).get(home).content.decode()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_raises_at_one_school_open_one_incident(world):
    """Eight people press Lockdown at the same moment (threads, each with its own connection): one incident."""
    import threading

    from django.db import connection

    school = actions.load_school(world.school_a.pk)
    people = [make_person(f"racer_{n}", "staff", world.school_a, "school") for n in range(8)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def press(person) -> None:
        try:
            barrier.wait(timeout=10)
            actions.do_raise_alert(person, school, action="lockdown")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert Alert.objects.count() == 1
    assert AlertReport.objects.count() == 8
    assert EscalationTimer.objects.count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1
