"""A principal cannot aim a webhook (or an SMS gateway) at this machine or a private
network, nor read back what a server answered. Only 127.0.0.1 is used."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schoolsafe.notifications.actions import do_create_channel, do_update_channel
from schoolsafe.notifications.models import DeliveryStatus, NotificationChannel
from schoolsafe.notifications.tasks import run_due_deliveries
from schoolsafe.notifications.tests.test_delivery import notify
from schoolsafe.testing.personas import client_for
from schoolsafe.testing.servers import HTTPReceiver


def test_25_5_webhook_to_loopback_is_refused_by_default(world, principal_a, settings):
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = False
    client = client_for(principal_a)
    for url in ("http://127.0.0.1:5432/", "http://localhost:6379/", "http://[::1]:8000/hook",
                "https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/", "https://192.168.1.1/admin"):
        response = client.post(reverse("notifications-channel-create", args=["webhook"]), {
            "organization": f"school:{world.school_a.pk}", "name": "Probe", "url": url,
            "event_kinds": ["alert.raised"]})
        assert response.status_code == 400, url
        assert "public internet address" in response.content.decode(), url
    assert not NotificationChannel.objects.exists()


def test_25_5_a_host_name_that_resolves_to_loopback_is_refused_when_the_worker_connects(world, settings):
    # The channel was saved while allowed (or its name resolved elsewhere then); when it is sent, the
    # worker resolves the name again and refuses the loopback address: the receiver hears nothing.
    with HTTPReceiver() as receiver:
        port = receiver.server.server_address[1]
        channel, _ = do_create_channel("test", world.school_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                                       url=f"http://localhost:{port}/hook")
        settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = False
        [delivery] = notify(world.school_a)
        assert run_due_deliveries() == 1
        assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED, "refused for good: retrying cannot help"
    assert "resolves to 127.0.0.1" in delivery.last_error or "resolves to ::1" in delivery.last_error
    assert "SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE" in delivery.last_error
    assert channel.pk == delivery.channel_id


def test_25_5_the_operator_setting_allows_a_receiver_on_127_0_0_1(world, settings):
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True
    with HTTPReceiver() as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Relay", event_kinds=["alert.raised"],
                          url=receiver.url)
        [delivery] = notify(world.school_a)
        assert run_due_deliveries() == 1
        [request] = receiver.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert request.json()["subject"] == "LOCKDOWN at School A High"


@pytest.mark.parametrize("status", [500, 404])
def test_25_5_the_response_body_is_never_shown_to_the_user(world, principal_a, settings, status):
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True
    with HTTPReceiver(decide=lambda request: (status, "redis_password=hunter2 internal-service-banner")) as receiver:
        channel, _ = do_create_channel("test", world.school_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                                       url="http://127.0.0.1:1/replaced")
        do_update_channel("test", channel, name="CAD", event_kinds=["alert.raised"], enabled=True, url=receiver.url)
        [delivery] = notify(world.school_a)
        run_due_deliveries()
        receiver.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.response_code == status
    assert delivery.last_error.startswith(f"HTTP {status}")
    page = client_for(principal_a).get(reverse("notifications-channel", args=[channel.pk])).content.decode()
    assert f"HTTP {status}" in page
    assert "hunter2" not in page and "hunter2" not in delivery.last_error
    assert "internal-service-banner" not in page
