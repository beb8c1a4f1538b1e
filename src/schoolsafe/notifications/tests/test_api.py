"""The notifications API, anonymous, without permission and with permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.notifications.actions import do_create_channel, do_notify
from schoolsafe.notifications.models import Delivery
from schoolsafe.notifications.tasks import run_due_deliveries
from schoolsafe.testing.servers import HTTPReceiver

BASE = "/api/v1/notifications/channels"


def bearer(user) -> Client:
    _token, raw = do_create_api_token("tests", user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def webhook(world):
    with HTTPReceiver(script=[502, 200]) as receiver:
        channel, secret = do_create_channel("admin", world.school_a, "webhook", name="CAD",
                                            event_kinds=["alert.raised"], url=receiver.url)
        yield channel, secret, receiver


def test_anonymous_callers_get_401(world, webhook):
    channel = webhook[0]
    client = Client()
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{channel.pk}/deliveries").status_code == 401
    assert client.post(f"{BASE}/{channel.pk}/test").status_code == 401


@pytest.mark.parametrize("persona", ["teacher_a", "dispatcher", "outsider"])
def test_callers_without_permission_see_no_channel(request, world, webhook, persona):
    channel = webhook[0]
    client = bearer(request.getfixturevalue(persona))
    assert client.get(BASE).json() == []
    assert client.get(f"{BASE}/{channel.pk}/deliveries").status_code == 404
    response = client.post(f"{BASE}/{channel.pk}/test")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert not Delivery.objects.exists()


def test_an_administrator_reads_channels_and_the_delivery_log_without_secrets(world, principal_a, webhook):
    channel, secret, receiver = webhook
    client = bearer(principal_a)
    listing = client.get(BASE)
    assert listing.status_code == 200
    assert listing.json() == [{"id": channel.pk, "name": "CAD", "kind": "webhook",
                               "organization": f"school:{world.school_a.pk}", "enabled": True,
                               "event_kinds": ["alert.raised"], "url": receiver.url, "recipients": []}]
    assert secret not in listing.content.decode()

    [delivery] = do_notify(organizations=[world.school_a], event_kind="alert.raised", subject="LOCKDOWN", text="",
                           payload={})
    start = timezone.now()
    run_due_deliveries(now=start)
    run_due_deliveries(now=start + dt.timedelta(seconds=11))
    log = client.get(f"{BASE}/{channel.pk}/deliveries").json()
    assert [(d["id"], d["status"], d["attempts"]) for d in log] == [(delivery.pk, "delivered", 2)]
    assert [(a["number"], a["ok"], a["response_code"]) for a in log[0]["attempt_log"]] == [(1, False, 502),
                                                                                        (2, True, 200)]
    assert client.get(f"{BASE}/{channel.pk}/deliveries", {"limit": 0}).status_code == 422


def test_an_administrator_sends_a_test_message(world, principal_a, webhook):
    channel, _secret, receiver = webhook
    response = bearer(principal_a).post(f"{BASE}/{channel.pk}/test")
    assert response.status_code == 202
    [delivery] = response.json()
    assert (delivery["event"], delivery["status"]) == ("test", "pending")
    run_due_deliveries()
    [request] = receiver.wait_for(1)
    assert request.json()["event"] == "test"
