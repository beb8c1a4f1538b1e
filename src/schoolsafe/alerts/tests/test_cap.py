"""CAP 1.2: every message of an alert validates against the OASIS schema and refers to the earlier ones;
the Atom feed of active alerts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from schoolsafe.alerts.models import EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import escalate, play_incident, raise_alert

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[4]
XSD = REPO.parent / "shared" / "standards" / "cap" / "CAP-v1.2.xsd"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"the OASIS CAP 1.2 schema is not at {XSD} (the shared standards folder beside the repository)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def cap_url(alert_id: int, n: int | None = None) -> str:
    return f"{ALERTS_URL}/{alert_id}/cap.xml" + (f"?n={n}" if n is not None else "")


def fetch(api, user, alert_id: int, n: int | None = None, schema=None):
    response = api(user).get(cap_url(alert_id, n))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/cap+xml")
    doc = etree.fromstring(response.content)
    if schema is not None:
        assert schema.validate(doc), schema.error_log
    return doc


def text(doc, path: str) -> str | None:
    found = doc.find(path, NS)
    return found.text if found is not None else None


def test_a_raised_lockdown_is_a_valid_cap_alert(api, world, teacher_a, dispatcher, schema):
    world.school_a.latitude, world.school_a.longitude = 41.8781, -87.6298
    world.school_a.time_zone = "America/Chicago"
    world.school_a.save()
    alert = raise_alert(api, teacher_a, world.school_a)

    doc = fetch(api, dispatcher, alert.pk, schema=schema)

    assert doc.tag == f"{CAP}alert"
    assert text(doc, "cap:identifier") == f"urn:schoolsafe:localhost:alert:{alert.pk}:1"
    assert text(doc, "cap:sender") == "schoolsafe@localhost"
    sent = text(doc, "cap:sent")
    assert SENT.match(sent), sent
    # The school's time zone (Chicago: -06:00 or -05:00), never "Z".
    assert sent.endswith(("-06:00", "-05:00"))
    assert text(doc, "cap:status") == "Actual"
    assert text(doc, "cap:msgType") == "Alert"
    assert text(doc, "cap:scope") == "Restricted"
    assert "School A High" in text(doc, "cap:restriction")
    assert doc.find("cap:references", NS) is None
    assert text(doc, "cap:info/cap:category") == "Security"
    assert text(doc, "cap:info/cap:event") == "School Lockdown"
    assert text(doc, "cap:info/cap:responseType") == "Shelter"
    assert text(doc, "cap:info/cap:urgency") == "Immediate"
    assert text(doc, "cap:info/cap:severity") == "Extreme"
    assert text(doc, "cap:info/cap:certainty") == "Observed"
    assert text(doc, "cap:info/cap:headline") == "LOCKDOWN at School A High"
    assert text(doc, "cap:info/cap:instruction") == "Locks, lights, out of sight. Prepare to evade or defend."
    assert "intruder in building C" in text(doc, "cap:info/cap:description")
    assert text(doc, "cap:info/cap:area/cap:areaDesc").startswith("School A High")
    # CAP points are latitude first.
    assert text(doc, "cap:info/cap:area/cap:circle") == "41.878100,-87.629800 0.5"


def test_raise_update_and_all_clear_validate_and_refer_to_the_earlier_messages(api, world, teacher_a, dispatcher,
                                                                              schema, quick_escalation):
    incident = play_incident(api, world, teacher_a, dispatcher)
    alert_id = incident.alert.pk

    # Raise, escalation, the room reporting a missing student, the all clear.
    docs = [fetch(api, dispatcher, alert_id, n, schema=schema) for n in (1, 2, 3, 4)]
    assert api(dispatcher).get(cap_url(alert_id, 5)).status_code == 404

    assert [text(d, "cap:msgType") for d in docs] == ["Alert", "Update", "Update", "Update"]
    assert [text(d, "cap:info/cap:responseType") for d in docs] == ["Shelter", "Shelter", "Shelter", "AllClear"]
    assert "Escalated to the police supervisor" in text(docs[1], "cap:note")
    room_update = text(docs[2], "cap:info/cap:description")
    assert "Room C-12 reports: missing students" in room_update
    assert "1 missing" in room_update
    # Students' names stay in SchoolSafe.
    assert "Ana" not in etree.tostring(docs[2]).decode()
    assert text(docs[3], "cap:info/cap:urgency") == "Past"
    assert text(docs[3], "cap:info/cap:headline").startswith("ALL CLEAR")
    triples = [f"{text(d, 'cap:sender')},{text(d, 'cap:identifier')},{text(d, 'cap:sent')}" for d in docs]
    for n, doc in enumerate(docs):
        refs = text(doc, "cap:references")
        assert (refs.split(" ") if refs else []) == triples[:n]
    # Without n: the latest message. And rendering again gives the same message.
    latest = api(dispatcher).get(cap_url(alert_id)).content
    assert etree.fromstring(latest).find("cap:identifier", NS).text == f"urn:schoolsafe:localhost:alert:{alert_id}:4"
    assert api(dispatcher).get(cap_url(alert_id)).content == latest


def test_a_cancel_is_a_cap_cancel_referring_to_the_alert(api, world, teacher_a, dispatcher, schema):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200
    first = fetch(api, dispatcher, alert.pk, 1, schema=schema)
    doc = fetch(api, dispatcher, alert.pk, schema=schema)
    assert text(doc, "cap:msgType") == "Cancel"
    assert text(doc, "cap:references") == \
        f"{text(first, 'cap:sender')},{text(first, 'cap:identifier')},{text(first, 'cap:sent')}"
    assert text(doc, "cap:info/cap:certainty") == "Unlikely"


@pytest.mark.parametrize(("overrides", "category", "response_type"), [
    ({"action": "shelter", "hazard": "tornado"}, "Met", "Shelter"),
    ({"action": "shelter", "hazard": "earthquake"}, "Geo", "Shelter"),
    ({"action": "shelter", "hazard": "hazmat"}, "CBRNE", "Shelter"),
    ({"action": "evacuate", "evacuate_to": "the football field"}, "Security", "Evacuate"),
    ({"action": "secure"}, "Security", "Shelter"),
    ({"action": "hold"}, "Security", "Monitor"),
])
def test_category_and_response_follow_the_action_and_hazard(api, world, teacher_a, schema, overrides, category,
                                                            response_type):
    alert = raise_alert(api, teacher_a, world.school_a, **overrides)
    doc = fetch(api, teacher_a, alert.pk, schema=schema)
    assert text(doc, "cap:info/cap:category") == category
    assert text(doc, "cap:info/cap:responseType") == response_type
    if "evacuate_to" in overrides:
        assert "the football field" in text(doc, "cap:info/cap:instruction")


def test_an_exercise_is_status_exercise_and_escalation_is_an_update(api, world, teacher_a, principal_a, dispatcher,
                                                                     schema, quick_escalation):
    exercise = raise_alert(api, teacher_a, world.school_a, exercise=True)
    doc = fetch(api, principal_a, exercise.pk, schema=schema)
    assert text(doc, "cap:status") == "Exercise"
    assert "EXERCISE" in text(doc, "cap:info/cap:headline")
    # Exercises never escalate (routing.py); a real alert's escalation is an Update.
    assert not EscalationTimer.objects.filter(alert=exercise).exists()
    alert = raise_alert(api, teacher_a, world.school_a)
    escalate(alert)
    doc = fetch(api, dispatcher, alert.pk, schema=schema)
    assert text(doc, "cap:status") == "Actual"
    assert text(doc, "cap:msgType") == "Update"


def test_an_ok_room_is_no_cap_update(api, world, teacher_a, schema):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/room-status", {"room": "C-12", "status": "ok"}).status_code == 201
    assert api(teacher_a).get(cap_url(alert.pk, 2)).status_code == 404


def test_cap_needs_a_caller_who_sees_the_alert(api, world, teacher_a, teacher_b, dispatcher_b):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(None).get(cap_url(alert.pk)).status_code == 401
    assert api(teacher_b).get(cap_url(alert.pk)).status_code == 404
    assert api(dispatcher_b).get(cap_url(alert.pk)).status_code == 404
    assert api(None).get("/api/v1/cap/feed").status_code == 401


# --- the Atom feed ----------------------------------------------------------------------------------------


def test_the_feed_lists_the_callers_active_alerts_with_their_cap_messages(api, world, teacher_a, teacher_b, dispatcher,
                                                                         schema, quick_escalation, settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # two incidents at one school
    active = raise_alert(api, teacher_a, world.school_a)
    escalate(active)
    ended = play_incident(api, world, teacher_a, dispatcher).alert
    elsewhere = raise_alert(api, teacher_b, world.school_b)

    response = api(dispatcher).get("/api/v1/cap/feed")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"atom:{required}", NS).text
    assert feed.find("atom:author/atom:name", NS).text
    assert feed.find("atom:link[@rel='self']", NS).get("href").endswith("/api/v1/cap/feed")
    entries = feed.findall("atom:entry", NS)
    ids = [e.find("atom:id", NS).text for e in entries]
    # The active alert's two messages, newest first; the just-ended alert's four until they expire (26.4);
    # not another district's.
    assert [i for i in ids if f":alert:{active.pk}:" in i] == \
        [f"urn:schoolsafe:localhost:alert:{active.pk}:2", f"urn:schoolsafe:localhost:alert:{active.pk}:1"]
    assert [i for i in ids if f":alert:{ended.pk}:" in i] == \
        [f"urn:schoolsafe:localhost:alert:{ended.pk}:{n}" for n in (4, 3, 2, 1)]
    assert not any(f":alert:{elsewhere.pk}:" in i for i in ids)
    for entry in entries:
        assert entry.find("atom:title", NS).text
        assert SENT.match(entry.find("atom:updated", NS).text)
        link = entry.find("atom:link", NS)
        assert link.get("type") == "application/cap+xml"
        assert link.get("href").startswith("http://testserver/api/v1/alerts/")
        content = entry.find("atom:content", NS)
        assert content.get("type") == "application/cap+xml"
        (inline,) = list(content)
        assert schema.validate(inline), schema.error_log
        assert inline.find("cap:identifier", NS).text == entry.find("atom:id", NS).text
        # The linked message is the one inline.
        path = link.get("href").removeprefix("http://testserver")
        linked = etree.fromstring(api(dispatcher).get(path).content)
        assert linked.find("cap:identifier", NS).text == entry.find("atom:id", NS).text
    assert feed.find("atom:updated", NS).text == entries[0].find("atom:updated", NS).text

    # A teacher of school B sees only their own school's alert.
    feed_b = etree.fromstring(api(teacher_b).get("/api/v1/cap/feed").content)
    assert [e.find("atom:id", NS).text for e in feed_b.findall("atom:entry", NS)] == \
        [f"urn:schoolsafe:localhost:alert:{elsewhere.pk}:1"]


def test_an_empty_feed_is_still_a_feed(api, world, dispatcher):
    feed = etree.fromstring(api(dispatcher).get("/api/v1/cap/feed").content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findall("atom:entry", NS) == []
    assert SENT.match(feed.find("atom:updated", NS).text)
