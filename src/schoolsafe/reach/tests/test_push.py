"""Web Push (RFC 8030, RFC 8291, RFC 8292) on loopback: an alert reaches a device with no page open."""

from __future__ import annotations

import pytest
from django.test import override_settings

from schoolsafe.alerts.tests.conftest import ALERTS_URL, Api, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.reach.models import PushMessage, PushStatus, PushSubscription
from schoolsafe.reach.tasks import run_due_pushes
from schoolsafe.reach.tests.pushservice import PushService
from schoolsafe.reach.vapid import application_server_key

SUBSCRIPTIONS = "/api/v1/push/subscriptions"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api():
    return Api


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def subscribe(api, user, device, name="phone"):
    response = api(user).post(SUBSCRIPTIONS, {"device_name": name, "endpoint": device.endpoint, "keys": device.keys})
    assert response.status_code == 201, response.content
    return response.json()


@override_settings(SCHOOLSAFE_PUSH_KICK=False)
def test_an_alert_reaches_a_subscribed_device_encrypted_with_its_headline_only(api, world, teacher_a, teacher_b,
                                                                                push_service):
    phone = push_service.device("teacher-a-phone")
    other_school = push_service.device("teacher-b-phone")
    subscribe(api, teacher_a, phone)
    subscribe(api, teacher_b, other_school)

    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, exercise=True))
    assert response.status_code == 201
    alert_id = response.json()["id"]
    assert run_due_pushes() == 1  # the worker's path; teacher B (another school) may not see this alert

    assert [r.path for r in push_service.received] == ["/push/teacher-a-phone"]
    message = push_service.received[0]
    assert message.headers["content-encoding"] == "aes128gcm"  # RFC 8291
    assert message.headers["urgency"] == "high" and int(message.headers["ttl"]) > 0  # RFC 8030 §5.2, §5.3
    assert f"k={application_server_key()}" in message.headers["authorization"]  # VAPID, RFC 8292 §3
    assert b"LOCKDOWN" not in message.body and b"School A" not in message.body  # encrypted

    headline = phone.decrypt(message.body)
    assert headline["title"] == "EXERCISE: LOCKDOWN"
    assert headline["alert"] == alert_id and headline["kind"] == "alert.raised"
    assert headline["school"]["name"] == "School A High" and headline["exercise"] is True
    assert headline["silent"] is True  # a lockdown is silent (SRP; alerts part 3)
    # The headline only: the reason and the location are for a signed-in page.
    assert "intruder" not in str(headline) and "C-12" not in str(headline)
    with pytest.raises(Exception):  # noqa: B017 - another device's keys cannot read it
        other_school.decrypt(message.body)

    sub = PushSubscription.objects.get(user=teacher_a)
    assert sub.last_success_at is not None
    assert PushMessage.objects.get().status == PushStatus.SENT


@override_settings(SCHOOLSAFE_PUSH_KICK=False)
def test_a_410_from_the_push_service_revokes_the_subscription(api, world, teacher_a, push_service):
    phone = push_service.device("expired")
    subscribe(api, teacher_a, phone)
    push_service.status["/push/expired"] = 410

    api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
    run_due_pushes()
    sub = PushSubscription.objects.get(user=teacher_a)
    assert sub.revoked_at is not None and "410" in sub.revoked_reason
    assert PushMessage.objects.get().status == PushStatus.GONE
    assert api(teacher_a).get(SUBSCRIPTIONS).json() == []

    # The next alert does not try the dead device again.
    api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="hold"))
    run_due_pushes()
    assert len(push_service.received) == 1


@override_settings(SCHOOLSAFE_PUSH_KICK=False)
def test_a_push_service_that_fails_is_retried_after_the_backoff(api, world, teacher_a, push_service):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    phone = push_service.device("busy")
    subscribe(api, teacher_a, phone)
    push_service.status["/push/busy"] = 503
    api(teacher_a).post(ALERTS_URL, lockdown(world.school_a))
    run_due_pushes()
    message = PushMessage.objects.get()
    assert message.status == PushStatus.RETRYING and message.response_code == 503
    push_service.status["/push/busy"] = 201
    assert run_due_pushes() == 0  # not before the backoff
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=11)):
        assert run_due_pushes() == 1
    message.refresh_from_db()
    assert message.status == PushStatus.SENT and message.attempts == 2
    assert phone.decrypt(push_service.received[-1].body)["alert"] == message.alert_id


def test_subscriptions_api_anonymous_other_person_and_owner(api, world, teacher_a, teacher_b, push_service):
    device = push_service.device("d")
    assert api(None).post(SUBSCRIPTIONS, {"endpoint": device.endpoint, "keys": device.keys}).status_code == 401
    assert api(None).get("/api/v1/push/key").status_code == 401
    assert api(teacher_a).get("/api/v1/push/key").json()["public_key"] == application_server_key()
    assert api(teacher_a).post(SUBSCRIPTIONS, {"endpoint": "ftp://x", "keys": device.keys}).status_code == 422
    created = subscribe(api, teacher_a, device, name="Room 12 computer")
    assert AuditEntry.objects.filter(action="reach.subscribe_push", actor=teacher_a).exists()
    assert api(teacher_b).get(SUBSCRIPTIONS).json() == []
    assert api(teacher_b).client.delete(f"{SUBSCRIPTIONS}/{created['id']}").status_code == 404
    assert api(teacher_a).client.delete(f"{SUBSCRIPTIONS}/{created['id']}").status_code == 204
    assert PushSubscription.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="reach.unsubscribe_push").exists()


@override_settings(SCHOOLSAFE_PUSH_KICK=False)
def test_25_5_a_push_endpoint_on_this_machine_or_a_private_network_is_refused_by_default(api, world, teacher_a, settings):
    """A push endpoint comes from the browser: like a webhook it may not aim the server at this machine or a
    private network (docs/security.md's rule for webhooks, for Web Push too)."""
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = False
    keys = {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg"}
    for endpoint in ("http://127.0.0.1:8080/push/1", "https://10.0.0.5/push/1", "https://localhost/push/1"):
        refused = api(teacher_a).post(SUBSCRIPTIONS, {"device_name": "x", "endpoint": endpoint, "keys": keys})
        assert refused.status_code == 422, endpoint
        assert "endpoint" in refused.json()["detail"]
    assert not PushSubscription.objects.exists()
