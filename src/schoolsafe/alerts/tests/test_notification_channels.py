"""Alerts leave SchoolSafe through the notification channels: raised, escalated and all clear reach
the webhook, email and SMS channels of the school, its district and its serving agencies, and no others."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import Alert, EscalationTimer
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.models import Delivery
from schoolsafe.notifications.tasks import run_due_deliveries
from schoolsafe.notifications.tests.conftest import documented_verifier
from schoolsafe.testing.servers import HTTPReceiver, SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.SCHOOLSAFE_NOTIFY_KICK = False
        settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True  # the receivers listen on 127.0.0.1
        yield server


@pytest.mark.django_db
def test_raise_escalation_and_all_clear_go_out_through_the_channels(api, world, teacher_a, principal_a,
                                                                    quick_escalation, smtp):
    verify = documented_verifier()
    with HTTPReceiver() as cad, HTTPReceiver() as other_gateway:
        _, secret = do_create_channel("admin", world.agency_a, "webhook", name="Agency A CAD",
                                      event_kinds=["alert.raised", "alert.escalated", "alert.all_clear"], url=cad.url)
        do_create_channel("admin", world.district_a, "email", name="District A director",
                          event_kinds=["alert.escalated"], recipients="director@district-a.test")
        do_create_channel("admin", world.school_b, "sms", name="School B phones", event_kinds=["alert.raised",
                          "alert.escalated", "alert.all_clear"], url=other_gateway.url, username="u", token="t",
                          recipients="+13525550100")

        response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
        assert response.status_code == 201
        alert = Alert.objects.get(pk=response.json()["id"])
        assert run_due_deliveries() == 1
        [raised] = cad.wait_for(1)
        assert raised.json()["event"] == "alert.raised"
        assert raised.json()["subject"] == "LOCKDOWN at School A High"
        assert raised.json()["data"]["alert"]["id"] == alert.pk
        assert "Locks, lights, out of sight." in raised.json()["text"]
        assert "Where: C, C-12, east stairwell" in raised.json()["text"]

        # Dispatch does not acknowledge: the escalation timer fires.
        timer = EscalationTimer.objects.get(alert=alert)
        assert actions.do_fire_escalation_timer(timer.pk, "worker-1", now=timer.due_at + dt.timedelta(seconds=1))
        assert run_due_deliveries() == 2
        escalated = cad.wait_for(2)[1]
        assert escalated.json()["event"] == "alert.escalated"
        assert escalated.json()["data"]["alert"]["escalation"]["to_role"] == "police_supervisor"
        [email] = smtp.wait_for(1)
        assert email["Subject"] == "ESCALATED: LOCKDOWN at School A High, not acknowledged by dispatch"
        assert email["To"] == "director@district-a.test"

        given = api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"concurring_officer": "Officer Ruiz, badge 4411"})
        assert given.status_code == 200
        assert run_due_deliveries() == 1
        cleared = cad.wait_for(3)[2]
        assert cleared.json()["subject"] == "ALL CLEAR: LOCKDOWN at School A High"

    for request in cad.requests:
        assert verify(secret, request.headers["x-schoolsafe-timestamp"], request.headers["x-schoolsafe-signature"],
                      request.body)
    assert other_gateway.requests == [], "school B's channel hears nothing of school A"
    assert len(smtp.messages) == 1, "the director's channel carries escalations only"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_an_exercise_says_so_in_the_subject(api, world, teacher_a, smtp):
    do_create_channel("admin", world.school_a, "email", name="Office", event_kinds=["alert.raised"],
                      recipients="office@school-a.test")
    assert api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True)).status_code == 201
    run_due_deliveries()
    [email] = smtp.wait_for(1)
    assert email["Subject"] == "EXERCISE: LOCKDOWN at School A High"


@pytest.mark.django_db
def test_a_broken_channel_never_stops_the_alert(api, world, teacher_a, caplog):
    from schoolsafe.notifications.models import NotificationChannel

    channel, _ = do_create_channel("admin", world.school_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                                   url="https://cad.example.org/hook")
    # A row damaged outside the application (its event kinds are not a list any more).
    NotificationChannel.objects.filter(pk=channel.pk).update(event_kinds=5)
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
    assert response.status_code == 201
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.status == "active"
    assert not Delivery.objects.exists()
    assert "consumer notify_event failed; the event stands" in caplog.text
