"""One source of wording: the school's own SRP wording, and its Spanish version, reaches
every channel of an alert: the page and the banner (the event), SMS, e-mail, the webhook payload, the
timeline and CAP. The SRP's lockdown directive includes "prepare to evade or defend"."""

from __future__ import annotations

import pytest
from lxml import etree

from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.alerts.tests.test_notification_channels import smtp  # noqa: F401 - the real SMTP server fixture
from schoolsafe.events.models import Event
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.tasks import run_due_deliveries
from schoolsafe.plans.srp import DEFAULT_DIRECTIVES, DEFAULT_DIRECTIVES_ES
from schoolsafe.testing.personas import client_for
from schoolsafe.testing.servers import HTTPReceiver

pytestmark = pytest.mark.django_db

OURS = "Lock the door, lights off, out of sight; be ready to evade or defend."
OURS_ES = "Cierren con llave, apaguen luces, fuera de vista; listos para evadir o defenderse."
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


@pytest.fixture
def school_wording(world):
    from schoolsafe.plans.models import ResponseProtocol

    return ResponseProtocol.objects.create(school=world.school_a, **{**DEFAULT_DIRECTIVES, "lockdown": OURS},
                                           spanish={"lockdown": OURS_ES})


def test_the_srp_lockdown_directive_says_prepare_to_evade_or_defend():
    assert DEFAULT_DIRECTIVES["lockdown"] == "Locks, lights, out of sight. Prepare to evade or defend."
    assert "evadir o defenderse" in DEFAULT_DIRECTIVES_ES["lockdown"]


def test_the_schools_wording_reaches_every_channel(api, world, teacher_a, dispatcher, school_wording, smtp):  # noqa: F811
    with HTTPReceiver() as cad, HTTPReceiver() as gateway:
        do_create_channel("admin", world.agency_a, "webhook", name="CAD", event_kinds=["alert.raised"], url=cad.url)
        do_create_channel("admin", world.school_a, "sms", name="Phones", event_kinds=["alert.raised"],
                          url=gateway.url, username="u", token="t", recipients="+13525550100")
        do_create_channel("admin", world.district_a, "email", name="Director", event_kinds=["alert.raised"],
                          recipients="director@district-a.test")

        response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
        assert response.status_code == 201
        alert_id = response.json()["id"]
        assert run_due_deliveries() == 3
        [webhook] = cad.wait_for(1)
        [sms] = gateway.wait_for(1)
        [email] = smtp.wait_for(1)

    # The API's answer and the event every page's banner shows.
    assert response.json()["directive"] == OURS and response.json()["directive_es"] == OURS_ES
    event = Event.objects.get(kind="alert.raised")
    assert event.data["directive"] == OURS and event.data["directive_es"] == OURS_ES
    # Webhook: the text and the payload.
    assert OURS in webhook.json()["text"] and OURS_ES in webhook.json()["text"]
    assert webhook.json()["data"]["alert"]["directive"] == OURS
    assert webhook.json()["data"]["alert"]["directive_es"] == OURS_ES
    # SMS: the directive comes right after the headline, so it survives the cut to one message.
    assert sms.json()["body"].startswith(f"LOCKDOWN at School A High: {OURS}")
    # E-mail.
    body = email.get_payload(decode=True).decode()
    assert OURS in body and OURS_ES in body
    # Timeline.
    entries = api(dispatcher).get(f"{ALERTS_URL}/{alert_id}/timeline").json()["entries"]
    assert OURS in entries[0]["text"]
    # CAP: English and Spanish <info> blocks with the school's words.
    cap = etree.fromstring(api(dispatcher).get(f"{ALERTS_URL}/{alert_id}/cap.xml").content)
    infos = cap.findall("cap:info", CAP)
    assert [i.findtext("cap:language", namespaces=CAP) for i in infos] == ["en-US", "es-US"]
    assert [i.findtext("cap:instruction", namespaces=CAP) for i in infos] == [OURS, OURS_ES]
    # The incident page.
    page = client_for(teacher_a).get(f"/alerts/{alert_id}/").content.decode()
    assert OURS in page
    assert "Locks, lights, out of sight." not in page


def test_the_all_clear_of_a_lockdown_tells_staff_to_stay_locked_on_every_channel(api, world, teacher_a, sro_a,
                                                                                   smtp):  # noqa: F811
    with HTTPReceiver() as cad, HTTPReceiver() as gateway:
        do_create_channel("admin", world.agency_a, "webhook", name="CAD", event_kinds=["alert.all_clear"], url=cad.url)
        do_create_channel("admin", world.school_a, "sms", name="Phones", event_kinds=["alert.all_clear"],
                          url=gateway.url, username="u", token="t", recipients="+13525550100")
        do_create_channel("admin", world.school_a, "email", name="Staff list", event_kinds=["alert.all_clear"],
                          recipients="staff@school-a.test")
        alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
        assert api(sro_a).post(f"{ALERTS_URL}/{alert_id}/all-clear").status_code == 200
        assert run_due_deliveries() == 3
        [webhook], [sms], [email] = cad.wait_for(1), gateway.wait_for(1), smtp.wait_for(1)

    stay = "Stay locked until an officer or administrator releases your room in person."
    assert sms.json()["body"].startswith(f"ALL CLEAR: LOCKDOWN at School A High: {stay}")
    assert stay in webhook.json()["text"] and webhook.json()["data"]["alert"]["all_clear_text"] == stay
    assert stay in email.get_payload(decode=True).decode()
    for text in (sms.json()["body"], webhook.json()["text"], email.get_payload(decode=True).decode()):
        assert "is over" not in text
    cap = etree.fromstring(api(sro_a).get(f"{ALERTS_URL}/{alert_id}/cap.xml").content)
    assert cap.findtext("cap:info/cap:instruction", namespaces=CAP) == stay
    assert cap.findtext("cap:note", namespaces=CAP) == f"All clear: {stay}"


def test_a_page_shown_in_spanish_gives_the_schools_spanish_wording(api, world, teacher_a, school_wording):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    client = client_for(teacher_a)

    page = client.get(f"/alerts/{alert_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    state = client.get(f"/alerts/{alert_id}/state.json", HTTP_ACCEPT_LANGUAGE="es").json()

    assert OURS_ES in page and state["alert"]["directive_text"] == OURS_ES
    assert client.get(f"/alerts/{alert_id}/state.json").json()["alert"]["directive_text"] == OURS
