"""Deliveries observed at real local servers: an SMTP server, a webhook receiver that verifies the signature
as docs/webhooks.md tells receivers to, and an SMS gateway stand-in; retries after the receiver first fails."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from schoolsafe.notifications.actions import do_create_channel, do_notify, do_rotate_channel_secret, do_update_channel
from schoolsafe.notifications.models import Delivery, DeliveryStatus, Notification
from schoolsafe.notifications.tasks import claim_delivery, run_due_deliveries, start_delivery_runner
from schoolsafe.testing.servers import HTTPReceiver, Received, basic_credentials

LONG_TEXT = ("Locks, lights, out of sight. Raised by Ms. Ortiz in room 114, building B. Police are on the way. "
             "Do not open the doors for anyone until the all clear is given by the principal or the police.")


def notify(*organizations, kind="alert.raised", subject="LOCKDOWN at School A High", text=LONG_TEXT, payload=None):
    return do_notify(organizations=organizations, event_kind=kind, subject=subject, text=text,
                     payload=payload if payload is not None else {"alert": {"id": 7, "action": "lockdown"}})


def at(seconds: float, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(seconds=seconds)


def signed_by(secret: str, verify) -> Callable[[Received], tuple[int, str]]:
    """A receiver decision: 401 unless the request carries a valid signature made with `secret`."""

    def decide(request: Received) -> tuple[int, str]:
        ok = verify(secret, request.headers.get("x-schoolsafe-timestamp", ""),
                    request.headers.get("x-schoolsafe-signature", ""), request.body)
        return (200, "verified") if ok else (401, "bad signature")

    return decide


# --- Email -----------------------------------------------------------------------------------------


def test_email_reaches_every_recipient_at_a_real_smtp_server(world, principal_a, smtp_server):
    do_create_channel(principal_a, world.school_a, "email", name="Front office", event_kinds=["alert.raised"],
                      recipients="office@school-a.test\nprincipal@school-a.test")
    deliveries = notify(world.school_a)
    assert [d.recipient for d in deliveries] == ["office@school-a.test", "principal@school-a.test"]

    assert run_due_deliveries() == 2
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["office@school-a.test", "principal@school-a.test"]
    for message in messages:
        assert message["Subject"] == "LOCKDOWN at School A High"
        assert message["From"] == "SchoolSafe <alerts@schoolsafe.test>"
        assert message["X-SchoolSafe-Event"] == "alert.raised"
        assert "Locks, lights, out of sight." in message.get_content()
    assert {m["X-SchoolSafe-Delivery"] for m in messages} == {str(d.pk) for d in deliveries}
    for delivery in Delivery.objects.all():
        assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 250)
        assert delivery.delivered_at is not None
        assert [(a.number, a.ok) for a in delivery.attempt_log.all()] == [(1, True)]
    assert run_due_deliveries() == 0, "a delivered email is not sent again"


def test_email_refused_for_now_by_the_server_is_retried_after_the_backoff(world, principal_a, smtp_server):
    smtp_server.handler.refuse = 1
    do_create_channel(principal_a, world.school_a, "email", name="Office", event_kinds=["alert.raised"],
                      recipients="office@school-a.test")
    [delivery] = notify(world.school_a)
    start = timezone.now()

    assert run_due_deliveries(now=start) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 1, 451)
    assert "Try again later" in delivery.last_error
    assert smtp_server.messages == []

    assert run_due_deliveries(now=at(9, start)) == 0, "not before the 10 s backoff"
    assert run_due_deliveries(now=at(11, start)) == 1
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "office@school-a.test"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert [(a.number, a.ok, a.response_code) for a in delivery.attempt_log.all()] == [(1, False, 451), (2, True, 250)]


# --- Webhooks --------------------------------------------------------------------------------------


def test_webhook_is_signed_fails_first_and_is_delivered_on_the_retry_after_backoff(world, verify_webhook):
    channel, secret = do_create_channel("test", world.agency_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                                        url="http://127.0.0.1:1/replaced")
    verified: list[bool] = []

    def decide(request: Received) -> tuple[int, str]:
        ok = verify_webhook(secret, request.headers["x-schoolsafe-timestamp"], request.headers["x-schoolsafe-signature"],
                            request.body)
        verified.append(ok)
        if not ok:
            return 401, "bad signature"
        # The receiver is down the first time (500), then up.
        return (500, "down") if len(verified) == 1 else (200, "ok")

    with HTTPReceiver(decide=decide) as receiver:
        do_update_channel("test", channel, name="CAD", event_kinds=["alert.raised"], enabled=True, url=receiver.url)
        [delivery] = notify(world.school_a, world.district_a, world.agency_a)
        start = timezone.now()

        assert run_due_deliveries(now=start) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 1, 500)
        assert delivery.next_attempt_at >= at(10, start)
        assert run_due_deliveries(now=at(9, start)) == 0, "not before the 10 s backoff"
        assert len(receiver.requests) == 1

        assert run_due_deliveries(now=at(11, start)) == 1
        first, second = receiver.wait_for(2)

    assert verified == [True, True]
    assert (first.answered, second.answered) == (500, 200)
    assert first.headers["x-schoolsafe-delivery"] == second.headers["x-schoolsafe-delivery"] == str(delivery.pk)
    assert first.body == second.body, "the same body on every retry (receivers deduplicate by delivery id)"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["x-schoolsafe-event"] == "alert.raised"
    document = second.json()
    assert document == {
        "delivery": str(delivery.pk), "event": "alert.raised", "subject": "LOCKDOWN at School A High",
        "text": LONG_TEXT, "organization": f"agency:{world.agency_a.pk}",
        "created_at": delivery.notification.created_at.isoformat(),
        "data": {"alert": {"id": 7, "action": "lockdown"}},
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        DeliveryStatus.DELIVERED, 2, 200, "")
    attempts = list(delivery.attempt_log.all())
    assert [(a.number, a.ok, a.response_code) for a in attempts] == [(1, False, 500), (2, True, 200)]
    assert "HTTP 500" in attempts[0].error
    assert attempts[1].started_at - attempts[0].started_at >= dt.timedelta(seconds=10)


def test_the_documented_verifier_refuses_a_changed_body_a_wrong_secret_and_an_old_timestamp(world, verify_webhook):
    with HTTPReceiver() as receiver:
        channel, secret = do_create_channel("test", world.school_a, "webhook", name="Bridge",
                                            event_kinds=["alert.raised"], url=receiver.url)
        notify(world.school_a)
        run_due_deliveries()
        [request] = receiver.wait_for(1)
    timestamp, signature, body = (request.headers["x-schoolsafe-timestamp"], request.headers["x-schoolsafe-signature"],
                                  request.body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert abs(int(timestamp) - time.time()) < 60
    assert verify_webhook(secret, timestamp, signature, body)
    assert not verify_webhook(secret, timestamp, signature, body.replace(b"lockdown", b"hold"))
    assert not verify_webhook("whsec_not-the-secret", timestamp, signature, body)
    assert not verify_webhook(secret, str(int(timestamp) + 1), signature, body)
    assert not verify_webhook(secret, "yesterday", signature, body)
    # Replayed six minutes later: refused, although the signature itself is right.
    verify_webhook.__globals__["time"] = type("Clock", (), {"time": staticmethod(lambda: int(timestamp) + 360)})
    assert not verify_webhook(secret, timestamp, signature, body)


def test_after_the_secret_is_replaced_a_receiver_with_the_old_one_refuses(world, verify_webhook):
    channel, old_secret = do_create_channel("test", world.school_a, "webhook", name="Bridge",
                                            event_kinds=["alert.raised"], url="http://127.0.0.1:1/x")
    new_secret = do_rotate_channel_secret("test", channel)
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    with HTTPReceiver(decide=signed_by(old_secret, verify_webhook)) as receiver:
        do_update_channel("test", channel, name="Bridge", event_kinds=["alert.raised"], enabled=True, url=receiver.url)
        [delivery] = notify(world.school_a)
        run_due_deliveries()
        receiver.wait_for(1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.RETRYING, 401)


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(world, settings):
    settings.SCHOOLSAFE_NOTIFY_TIMEOUT = 0.3
    with HTTPReceiver(delay=1.5) as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Slow", event_kinds=["alert.raised"], url=receiver.url)
        [delivery] = notify(world.school_a)
        started = time.perf_counter()
        run_due_deliveries()
        took = time.perf_counter() - started
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "no answer within 0.3 s" in delivery.last_error
    assert took < 1.2


def test_a_refused_connection_is_retried_and_after_the_last_attempt_the_delivery_fails(world, settings):
    settings.SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS = 3
    with HTTPReceiver(script=[503]) as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Down", event_kinds=["alert.raised"], url=receiver.url)
        [delivery] = notify(world.school_a)
        start = timezone.now()
        assert run_due_deliveries(now=start) == 1
        assert run_due_deliveries(now=at(11, start)) == 1   # after 10 s
        assert run_due_deliveries(now=at(35, start)) == 0   # the second backoff is 30 s
        assert run_due_deliveries(now=at(45, start)) == 1
        assert run_due_deliveries(now=at(10_000, start)) == 0, "a failed delivery is not tried again"
        assert len(receiver.wait_for(3)) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert "HTTP 503" in delivery.last_error
    assert [a.response_code for a in delivery.attempt_log.all()] == [503, 503, 503]


def test_a_delivery_whose_worker_died_mid_send_is_taken_over_when_its_lease_runs_out(world):
    with HTTPReceiver() as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Bridge", event_kinds=["alert.raised"],
                          url=receiver.url)
        [delivery] = notify(world.school_a)
        start = timezone.now()
        assert claim_delivery(delivery.pk, "crashed-worker", start) is not None   # ... and never finishes
        assert run_due_deliveries(now=at(50, start)) == 0, "the lease still holds"
        assert run_due_deliveries(now=at(61, start), worker_id="survivor") == 1
        assert len(receiver.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert [(a.number, a.ok, a.worker) for a in delivery.attempt_log.all()] == [
        (1, False, "crashed-worker"), (2, True, "survivor")]
    assert "outcome is unknown" in delivery.attempt_log.first().error


# --- SMS -------------------------------------------------------------------------------------------


def gateway(requests_ok: list[dict], body_format: str = "json"):
    """An SMS gateway stand-in: 401 without the right Basic credentials, else records {to, body}."""

    def decide(request: Received) -> tuple[int, str]:
        if basic_credentials(request.headers) != ("schoolsafe-district", "tok-3141"):
            return 401, "bad credentials"
        fields = request.json() if body_format == "json" else request.form()
        if set(fields) != {"to", "body"}:
            return 400, f"unexpected fields {sorted(fields)}"
        requests_ok.append(fields)
        return 201, "queued"

    return decide


@pytest.mark.parametrize("body_format", ["json", "form"])
def test_sms_goes_through_the_gateway_with_credentials_cut_to_one_message(world, body_format):
    sent: list[dict] = []
    with HTTPReceiver(decide=gateway(sent, body_format)) as receiver:
        do_create_channel("test", world.district_a, "sms", name="Director's phones", event_kinds=["alert.raised"],
                          url=receiver.url, username="schoolsafe-district", token="tok-3141",
                          body_format=body_format, recipients="(352) 555-0100\n+44 20 7946 0958")
        deliveries = notify(world.school_a, world.district_a)
        assert run_due_deliveries() == 2
        receiver.wait_for(2)
    assert sorted(s["to"] for s in sent) == ["+13525550100", "+442079460958"]
    for fields in sent:
        body = fields["body"]
        assert body.startswith("LOCKDOWN at School A High: Locks, lights, out of sight.")
        assert len(body) <= 160 and body.endswith("...")
    expected = {"json": "application/json", "form": "application/x-www-form-urlencoded"}[body_format]
    assert receiver.requests[0].headers["content-type"] == expected
    assert {d.recipient for d in deliveries} == {"+13525550100", "+442079460958"}
    assert set(Delivery.objects.values_list("status", "response_code")) == {(DeliveryStatus.DELIVERED, 201)}


def test_sms_with_wrong_credentials_is_refused_and_retried(world):
    sent: list[dict] = []
    with HTTPReceiver(decide=gateway(sent)) as receiver:
        do_create_channel("test", world.school_a, "sms", name="Phones", event_kinds=["alert.raised"], url=receiver.url,
                          username="schoolsafe-district", token="wrong-token", recipients="+13525550100")
        [delivery] = notify(world.school_a)
        run_due_deliveries()
        receiver.wait_for(1)
    assert sent == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.RETRYING, 401)


# --- Who gets what ---------------------------------------------------------------------------------


def test_a_disabled_channel_sends_nothing(world):
    with HTTPReceiver() as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Off", event_kinds=["alert.raised"], url=receiver.url,
                          enabled=False)
        assert notify(world.school_a) == []
        assert run_due_deliveries() == 0
        time.sleep(0.1)
    assert receiver.requests == []
    assert not Notification.objects.exists(), "nothing is written when no channel matches"


def test_a_channel_disabled_after_the_notification_was_created_does_not_send_it(world):
    with HTTPReceiver() as receiver:
        channel, _ = do_create_channel("test", world.school_a, "webhook", name="Soon off",
                                       event_kinds=["alert.raised"], url=receiver.url)
        [delivery] = notify(world.school_a)
        do_update_channel("test", channel, name="Soon off", event_kinds=["alert.raised"], enabled=False, url=receiver.url)
        assert run_due_deliveries() == 1
        time.sleep(0.1)
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "disabled" in delivery.last_error


def test_a_channel_of_another_organization_gets_nothing(world):
    with HTTPReceiver() as receiver_a, HTTPReceiver() as receiver_b:
        do_create_channel("test", world.school_a, "webhook", name="A", event_kinds=["alert.raised"], url=receiver_a.url)
        do_create_channel("test", world.school_b, "webhook", name="B", event_kinds=["alert.raised"], url=receiver_b.url)
        do_create_channel("test", world.agency_b, "webhook", name="Agency B", event_kinds=["alert.raised"],
                          url=receiver_b.url)
        do_create_channel("test", world.district_b, "webhook", name="District B", event_kinds=["alert.raised"],
                          url=receiver_b.url)
        deliveries = notify(world.school_a, world.district_a, world.agency_a)
        assert [d.channel.name for d in deliveries] == ["A"]
        run_due_deliveries()
        receiver_a.wait_for(1)
        time.sleep(0.1)
    assert len(receiver_a.requests) == 1
    assert receiver_b.requests == []


def test_a_channel_gets_only_the_events_it_carries(world):
    with HTTPReceiver() as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Only all clears", event_kinds=["alert.all_clear"],
                          url=receiver.url)
        assert notify(world.school_a, kind="alert.raised") == []
        [delivery] = notify(world.school_a, kind="alert.all_clear", subject="ALL CLEAR at School A High")
        run_due_deliveries()
        [request] = receiver.wait_for(1)
    assert request.json()["event"] == "alert.all_clear"


def test_an_unknown_event_kind_is_refused(world):
    with pytest.raises(ValueError, match="unknown event kind"):
        notify(world.school_a, kind="alert.exploded")


# --- Workers ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery(world):
    with HTTPReceiver(delay=0.02) as receiver:
        for n in range(5):
            do_create_channel("test", world.school_a, "webhook", name=f"Hook {n}", event_kinds=["alert.raised"],
                              url=receiver.url)
        deliveries = notify(world.school_a) + notify(world.school_a) + notify(world.school_a) + notify(world.school_a)
        assert len(deliveries) == 20
        counts: list[int] = []

        def work(name: str) -> None:
            from django.db import connection

            try:
                counts.append(run_due_deliveries(worker_id=name))
            finally:
                connection.close()

        workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        requests = receiver.wait_for(20)
        time.sleep(0.1)
    assert sum(counts) == 20
    ids = [r.headers["x-schoolsafe-delivery"] for r in receiver.requests]
    assert len(ids) == 20 and len(set(ids)) == 20, "every delivery sent exactly once"
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}
    assert len(requests) == 20


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_retries_on_its_own(world, settings):
    settings.SCHOOLSAFE_NOTIFY_BACKOFF = [0.3]
    with HTTPReceiver(script=[500, 204]) as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Flaky", event_kinds=["alert.raised"],
                          url=receiver.url)
        [delivery] = notify(world.school_a)
        runner = start_delivery_runner("test-worker", interval=0.1)
        try:
            first, second = receiver.wait_for(2, timeout=10)
        finally:
            runner.stop()
            runner.join(5)
    assert (first.answered, second.answered) == (500, 204)
    assert second.at - first.at >= 0.3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


@pytest.mark.django_db(transaction=True)
def test_the_first_attempt_starts_right_after_the_commit(world, settings, capsys):
    """The kick: no waiting for the worker's next scan. Measures commit-to-receiver latency."""
    settings.SCHOOLSAFE_NOTIFY_KICK = True
    with HTTPReceiver(script=[200]) as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Fast", event_kinds=["alert.raised"],
                          url=receiver.url)
        latencies = []
        for n in range(20):
            with transaction.atomic():
                notify(world.school_a, payload={"n": n})
            committed = time.time()
            request = receiver.wait_for(n + 1, timeout=5)[n]
            latencies.append((request.at - committed) * 1000)
    latencies.sort()
    median, worst = latencies[len(latencies) // 2], latencies[-1]
    with capsys.disabled():
        print(f"\n  do_notify commit -> webhook receiver: median {median:.1f} ms, max {worst:.1f} ms (20 sends, "
              "kick after commit)")
    assert [json.loads(r.body)["data"]["n"] for r in receiver.requests] == list(range(20))
    assert worst < 1000
    # The receiver has the last one; its sender records the outcome a moment later.
    deadline = time.monotonic() + 5
    while Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_callers_transaction_rolls_back(world, settings):
    settings.SCHOOLSAFE_NOTIFY_KICK = True
    with HTTPReceiver() as receiver:
        do_create_channel("test", world.school_a, "webhook", name="Hook", event_kinds=["alert.raised"], url=receiver.url)
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(world.school_a)
            raise RuntimeError("the alert failed to save")
        time.sleep(0.3)
        assert run_due_deliveries() == 0
    assert receiver.requests == []
    assert not Delivery.objects.exists()
