"""Failure tests on real server processes and sockets: a SIGKILL mid-burst, a graceful stop, two instances.

(b), the escalation timer that fires after a restart, is the alerts app's (alerts/tests/test_worker_restart.py).
"""

from __future__ import annotations

import http.client
import os
import shutil
import threading
import time

import pytest
from django.db import connection

from schoolsafe.events.tests.servers import prepare_data_dir, sqlite_env
from schoolsafe.events.tests.sse import SSEClient, StreamClosed
from schoolsafe.testing.servers import ServeProcess


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """One migrated data folder for the module (migrating takes seconds); each test gets a copy."""
    template = tmp_path_factory.mktemp("serve-template")
    return template, prepare_data_dir(template)


@pytest.fixture
def data_dir(prepared, tmp_path):
    template, setup = prepared
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    return folder, setup


def alert_body(school: int, n: int) -> dict:
    return {"school": school, "action": "lockdown", "tier": "emergency", "exercise": True,
            "reason": f"failure test {n}", "location": {"building": "A", "room": str(100 + n)}}


def read_alerts(client: SSEClient, into: list[tuple[int, int]], stop: threading.Event) -> None:
    """(event id, alert id) of each alert.raised event, until the stream or the test ends."""
    while not stop.is_set():
        try:
            event = client.next_event(0.5)
        except TimeoutError:
            continue
        except (StreamClosed, OSError):
            return
        if event.event == "alert.raised":
            assert event.id is not None, "the stream gives every event its id"
            into.append((event.id, event.json()["id"]))


def test_sigkill_mid_burst_loses_no_acknowledged_alert_and_replays_each_once(data_dir):
    """(a) Every alert answered 201 before the SIGKILL exists after the restart, and a client that reconnects
    with its last event id receives each of them exactly once (counting what it had before the kill)."""
    folder, setup = data_dir
    env = sqlite_env(folder)
    auth = {"Authorization": f"Bearer {setup['token']}"}
    server = ServeProcess(env)
    before: list[tuple[int, int]] = []
    acknowledged: list[int] = []
    stop = threading.Event()
    stream = SSEClient(server.port, headers=auth)
    assert stream.status == 200
    reader = threading.Thread(target=read_alerts, args=(stream, before, stop))
    reader.start()

    def burst(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status, body = server.request("POST", "/api/v1/alerts", alert_body(setup["school"], worker * 1000 + n),
                                              headers=auth, timeout=5)
            except (OSError, http.client.HTTPException):
                # The server died under us (before answering, or between the status line and the body):
                # this one's fate is unknown, which is allowed.
                return
            if status == 201:
                acknowledged.append(body["id"])

    posters = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
    try:
        for poster in posters:
            poster.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 15:
            assert time.monotonic() < deadline, "the burst made no progress"
            time.sleep(0.01)
        server.kill()  # mid-burst: requests are in flight
    finally:
        stop.set()
        for thread in (*posters, reader):
            thread.join(10)
        if server.process.poll() is None:
            server.kill()
    stream.close()
    assert len(acknowledged) >= 15

    restarted = ServeProcess(env)
    try:
        for alert_id in acknowledged:
            status, body = restarted.request("GET", f"/api/v1/alerts/{alert_id}", headers=auth)
            assert status == 200, f"alert {alert_id} was answered 201 but is gone after the restart"
        last_seen = before[-1][0] if before else 0
        again = SSEClient(restarted.port, headers={**auth, "Last-Event-ID": str(last_seen)})
        after: list[tuple[int, int]] = []
        missing = set(acknowledged) - {alert for _, alert in before}
        while missing:
            event = again.next_event(5)
            if event.event == "alert.raised":
                after.append((event.id, event.json()["id"]))
                missing.discard(event.json()["id"])
        # Alerts committed while their 201 was still on its way may follow; take whatever else comes.
        while True:
            try:
                event = again.next_event(0.5)
            except TimeoutError:
                break
            if event.event == "alert.raised":
                after.append((event.id, event.json()["id"]))
        received = [alert for _, alert in before + after]
        assert len(received) == len(set(received)), "an alert was delivered twice"
        event_ids = [event for event, _ in before + after]
        assert event_ids == sorted(event_ids), "events out of order across the restart"
        for alert_id in acknowledged:
            assert received.count(alert_id) == 1, f"alert {alert_id} received {received.count(alert_id)} times"
    finally:
        restarted.stop()


def test_sigterm_ends_open_streams_cleanly_and_at_once(data_dir):
    """A graceful stop is not held up by open streams: each ends with the chunked body's last chunk (the
    client then reconnects with its last id), and the server exits well within its grace period."""
    folder, setup = data_dir
    server = ServeProcess(sqlite_env(folder))
    streams = [SSEClient(server.port, headers={"Authorization": f"Bearer {setup['token']}"}) for _ in range(3)]
    assert {s.status for s in streams} == {200}
    took = server.stop()
    assert took < 3.0, f"shutdown took {took:.1f} s with open streams"
    for stream in streams:
        with pytest.raises(StreamClosed, match="ended the stream"):
            stream.next_event(2)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_instances_on_postgresql_an_alert_posted_to_one_reaches_a_subscriber_of_the_other(
        tmp_path, world, teacher_a):
    """(c) LISTEN/NOTIFY between instances: nothing that the other instance needs is in one process's memory."""
    from schoolsafe.events.tests.conftest import bearer

    auth = bearer(teacher_a)
    env = {**sqlite_env(tmp_path), "DATABASE_URL": _database_url()}
    first, second = ServeProcess(env), ServeProcess(env)
    try:
        for instance in (first, second):
            # A fresh process's first alert pays for its imports; that is not the delivery being measured.
            status, _ = instance.request("POST", "/api/v1/alerts", alert_body(world.school_a.pk, 0), headers=auth)
            assert status == 201
        for poster, listener in ((first, second), (second, first)):
            stream = SSEClient(listener.port, headers=auth)
            assert stream.status == 200
            started = time.monotonic()
            status, alert = poster.request("POST", "/api/v1/alerts", alert_body(world.school_a.pk, 1), headers=auth)
            assert status == 201
            event = stream.next_event(5)
            # A stream without Last-Event-ID starts where its instance's hub is: an alert committed just
            # before it opened that the hub had not yet read (a loaded machine) comes first, and is older.
            while (event.event, event.json()["id"]) != ("alert.raised", alert["id"]):
                assert event.json()["id"] < alert["id"], f"an unexpected event before alert {alert['id']}: {event}"
                event = stream.next_event(5)
            took = time.monotonic() - started
            assert took < 1.0, f"the other instance's subscriber got the alert after {took:.2f} s"
            stream.close()
    finally:
        first.stop()
        second.stop()
