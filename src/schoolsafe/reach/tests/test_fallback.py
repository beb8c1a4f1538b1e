"""The per-person fallback: whoever neither the stream nor a push reached within N seconds of an emergency alert
gets an SMS through the gateway, and the delivery report names, per recipient, each path tried and the first that
worked."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from schoolsafe.alerts.tests.conftest import ALERTS_URL, Api, lockdown
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.tasks import run_due_deliveries
from schoolsafe.reach.fallback import run_due_fallbacks
from schoolsafe.reach.models import FallbackTimer
from schoolsafe.reach.tasks import run_due_pushes
from schoolsafe.reach.tests.pushservice import PushService
from schoolsafe.testing.personas import make_person
from schoolsafe.testing.servers import HTTPReceiver

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(SCHOOLSAFE_PUSH_KICK=False, SCHOOLSAFE_NOTIFY_KICK=False, SCHOOLSAFE_REACH_FALLBACK_SECONDS=15)
def test_a_teacher_no_stream_or_push_reached_gets_the_sms_and_the_report_names_every_path(world, principal_a):
    on_stream = make_person("on_stream", "staff", world.school_a, "school")
    on_phone_app = make_person("on_phone_app", "staff", world.school_a, "school")
    offline = make_person("offline", "staff", world.school_a, "school")
    offline.full_name, offline.phone = "Offline Teacher", "+1 352 555 0142"
    offline.save()
    texts: list[dict] = []

    def gateway(request):
        texts.append(request.json())
        return 201, "queued"

    t0 = timezone.now()
    with HTTPReceiver(decide=gateway) as sms_gateway, PushService() as push_service, \
            time_machine.travel(t0, tick=False) as clock:
        # The school's SMS gateway (its channel carries other events; the fallback only borrows the gateway).
        do_create_channel("test", world.school_a, "sms", name="Gateway", event_kinds=["alert.cancelled"],
                          url=sms_gateway.url, username="u", token="t", recipients="+13525550100")
        device = push_service.device("phone")
        assert Api(on_phone_app).post("/api/v1/push/subscriptions", {
            "device_name": "phone", "endpoint": device.endpoint, "keys": device.keys}).status_code == 201

        response = Api(principal_a).post(ALERTS_URL, lockdown(world.school_a))
        assert response.status_code == 201
        alert_id = response.json()["id"]
        event_id = FallbackTimer.objects.filter(alert_id=alert_id).first().event_id
        clock.shift(1)
        run_due_pushes()
        Api(on_stream).post("/api/v1/events/receipts", {"ids": [event_id]})

        clock.shift(10)  # 11 s after the alert: nobody is texted yet
        assert run_due_fallbacks() == 0
        run_due_deliveries()
        assert texts == []

        clock.shift(5)  # 16 s: the fallback is due
        assert run_due_fallbacks() >= 3
        run_due_deliveries()
        assert [t["to"] for t in texts] == ["+1 352 555 0142"]
        assert texts[0]["body"].startswith("LOCKDOWN at School A High")
        assert run_due_fallbacks() == 0  # claimed once

        report = Api(principal_a).get(f"{ALERTS_URL}/{alert_id}/delivery").json()
    by_name = {r["user"]["name"]: r for r in report["recipients"]}
    assert by_name[on_stream.full_name or "on_stream"]["reached_by"] == "stream"
    assert by_name[on_phone_app.full_name or "on_phone_app"]["reached_by"] == "push"
    offline_row = by_name["Offline Teacher"]
    assert offline_row["reached_by"] == "sms"
    assert [p["path"] for p in offline_row["paths"]] == ["sms"] and offline_row["paths"][0]["ok"]
    # Every recipient but the one who raised it has at least one path named (or why none could be tried).
    for row in report["recipients"]:
        if row["user"]["id"] != principal_a.pk:
            assert row["paths"], row
