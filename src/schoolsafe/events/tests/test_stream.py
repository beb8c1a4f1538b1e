"""The event stream as a client sees it: authentication, audience, replay, live delivery, heartbeats, ends."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.test import Client

from schoolsafe.events.emit import emit_event
from schoolsafe.events.models import Event
from schoolsafe.events.tests.conftest import bearer
from schoolsafe.events.tests.sse import SSEClient, StreamClosed

pytestmark = pytest.mark.django_db(transaction=True)


def staff_of(school) -> list[str]:
    return [f"school:{school.pk}:staff"]


def emit_for(school, n: int = 1, kind: str = "alert.raised") -> list[Event]:
    return [emit_event(kind, {"school": school.pk, "n": i}, staff_of(school), school=school) for i in range(n)]


# --- who may connect ---------------------------------------------------------------------------------------


def test_no_credentials_is_401_json(server):
    client = SSEClient(server.port)
    assert client.status == 401
    assert client.headers["content-type"] == "application/json"
    assert b'"detail": "authentication required"' in client.body()


def test_unknown_token_is_401_even_with_a_valid_session_cookie(server, teacher_a):
    browser = Client()
    browser.force_login(teacher_a)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    client = SSEClient(server.port, headers={"Authorization": "Bearer ss_nothing_real", "Cookie": cookie})
    assert client.status == 401


def test_revoked_token_is_401(server, teacher_a):
    from schoolsafe.accounts.actions import do_revoke_api_token
    from schoolsafe.accounts.models import ApiToken

    headers = bearer(teacher_a)
    do_revoke_api_token(teacher_a, ApiToken.objects.get(user=teacher_a))
    assert SSEClient(server.port, headers=headers).status == 401


def test_signed_in_session_cookie_opens_the_stream(server, world, teacher_a):
    browser = Client()
    browser.force_login(teacher_a)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    client = SSEClient(server.port, headers={"Cookie": cookie})
    assert client.status == 200
    assert client.headers["content-type"].startswith("text/event-stream")
    [event] = emit_for(world.school_a)
    assert client.next_event().id == event.pk


def test_malformed_last_event_id_is_400_naming_it(server, teacher_a):
    client = SSEClient(server.port, path="/api/v1/events?last_event_id=abc", headers=bearer(teacher_a))
    assert client.status == 400
    assert b"last_event_id" in client.body()
    client = SSEClient(server.port, headers={**bearer(teacher_a), "Last-Event-ID": "-3"})
    assert client.status == 400
    assert b"Last-Event-ID" in client.body()


# --- what reaches whom ---------------------------------------------------------------------------------------


def test_live_event_reaches_its_audience_in_sse_format(server, world, teacher_a):
    client = SSEClient(server.port, headers=bearer(teacher_a))
    assert client.status == 200
    event = emit_event("alert.raised", {"text": "line one\nline two", "school": world.school_a.pk},
                       staff_of(world.school_a), school=world.school_a)
    got = client.next_event()
    assert (got.id, got.event) == (event.pk, "alert.raised")
    assert got.json() == {"text": "line one\nline two", "school": world.school_a.pk}
    assert "connected" in client.comments


def test_live_events_are_written_straight_to_the_connection(server, world, teacher_a):
    """`schoolsafe serve`'s server (uvicorn, httptools) lets the hub write each event to the transport itself
    (bus.direct_writer): if an upgrade takes that away, delivery still works but slower; this says so."""
    client = SSEClient(server.port, headers=bearer(teacher_a))
    [event] = emit_for(world.school_a)
    assert client.next_event().id == event.pk
    assert server.call(lambda: [s.direct is not None for s in server.hub().subscribers]) == [True]


def test_other_servers_get_events_through_asgi_send(world, teacher_a, transactional_db):
    from schoolsafe.testing.servers import ThreadServer

    with ThreadServer(http="h11") as h11:
        client = SSEClient(h11.port, headers=bearer(teacher_a))
        events = emit_for(world.school_a, 3)
        assert [e.id for e in client.events(3)] == [e.pk for e in events]
        assert h11.call(lambda: [s.direct for s in h11.hub().subscribers]) == [None]


def test_teacher_of_school_b_receives_nothing_about_school_a(server, world, teacher_a, teacher_b):
    a_client = SSEClient(server.port, headers=bearer(teacher_a))
    b_client = SSEClient(server.port, headers=bearer(teacher_b))
    about_a = emit_for(world.school_a, 3)
    [about_b] = emit_for(world.school_b)
    # B's first event is B's own: the three about school A never came.
    assert b_client.next_event().id == about_b.pk
    assert b_client.no_event(0.3)
    assert [e.id for e in a_client.events(3)] == [e.pk for e in about_a]
    assert a_client.no_event(0.3)


def test_user_key_reaches_only_that_user(server, world, teacher_a, principal_a):
    teacher = SSEClient(server.port, headers=bearer(teacher_a))
    principal = SSEClient(server.port, headers=bearer(principal_a))
    event = emit_event("alert.acknowledged", {"by": "dispatch"}, [f"user:{teacher_a.pk}"])
    assert teacher.next_event().id == event.pk
    assert principal.no_event(0.3)


def test_agency_and_district_keys_reach_their_members(server, world, dispatcher, director_a, teacher_a):
    dispatch = SSEClient(server.port, headers=bearer(dispatcher))
    director = SSEClient(server.port, headers=bearer(director_a))
    teacher = SSEClient(server.port, headers=bearer(teacher_a))
    event = emit_event("alert.raised", {}, [f"agency:{world.agency_a.pk}:dispatcher",
                                             f"district:{world.district_a.pk}:district_director"])
    assert dispatch.next_event().id == event.pk
    assert director.next_event().id == event.pk
    assert teacher.no_event(0.3)


# --- replay -------------------------------------------------------------------------------------------------


def test_replay_after_last_event_id_header_in_order_then_live(server, world, teacher_a):
    headers = bearer(teacher_a)
    first = SSEClient(server.port, headers=headers)
    mine = emit_for(world.school_a, 2)
    emit_for(world.school_b, 1)  # not for teacher_a: never replayed to them
    mine += emit_for(world.school_a, 3)
    seen = first.events(2)
    first.close()  # the client drops after two events; three more were sent meanwhile
    again = SSEClient(server.port, headers={**headers, "Last-Event-ID": str(seen[-1].id)})
    replayed = again.events(3)
    assert [e.id for e in replayed] == [e.pk for e in mine[2:]]
    [live] = emit_for(world.school_a)
    assert again.next_event().id == live.pk
    assert again.no_event(0.3)


def test_replay_from_the_database_with_query_parameter(world, teacher_a, transactional_db):
    # Events written before the server started are older than its hub's memory: replayed from the table.
    from schoolsafe.testing.servers import ThreadServer

    headers = bearer(teacher_a)
    before = emit_for(world.school_a, 4)
    emit_for(world.school_b, 2)
    running = ThreadServer().start()
    try:
        client = SSEClient(running.port, path=f"/api/v1/events?last_event_id={before[0].pk}", headers=headers)
        assert [e.id for e in client.events(3)] == [e.pk for e in before[1:]]
        [live] = emit_for(world.school_a)
        assert client.next_event().id == live.pk
        assert client.no_event(0.3)
    finally:
        running.stop()


def test_no_last_event_id_means_live_only(server, world, teacher_a):
    emit_for(world.school_a, 2)
    client = SSEClient(server.port, headers=bearer(teacher_a))
    assert client.no_event(0.3)


def test_handover_from_replay_to_live_has_no_gap_and_no_duplicate(server, world, teacher_a):
    """Reconnect while events keep coming: every event once, in id order."""
    headers = bearer(teacher_a)
    start = emit_for(world.school_a)[0].pk
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        from django.db import connection

        try:
            while not stop.is_set() and len(written) < 200:
                written.append(emit_for(world.school_a)[0].pk)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        received: list[int] = []
        cursor = start
        for _ in range(4):  # reconnect a few times mid-burst
            time.sleep(0.05)
            client = SSEClient(server.port, headers={**headers, "Last-Event-ID": str(cursor)})
            for _ in range(10):
                received.append(client.next_event().id)
            cursor = received[-1]
            client.close()
        stop.set()
        thread.join()
        client = SSEClient(server.port, headers={**headers, "Last-Event-ID": str(cursor)})
        while not received or received[-1] != written[-1]:
            received.append(client.next_event().id)
    finally:
        stop.set()
        thread.join()
    assert received == sorted(set(received)), "out of order or duplicated"
    assert received == [i for i in written if i > start]


# --- heartbeats and ends ----------------------------------------------------------------------------------


def test_idle_stream_gets_heartbeats(server, teacher_a, settings):
    settings.SCHOOLSAFE_EVENTS_HEARTBEAT = 0.3
    client = SSEClient(server.port, headers=bearer(teacher_a))
    assert client.no_event(1.0)
    assert client.comments.count("hb") >= 2


def test_closed_stream_leaves_the_hub_at_once(server, world, teacher_a):
    clients = [SSEClient(server.port, headers=bearer(teacher_a)) for _ in range(3)]
    assert server.call(lambda: len(server.hub().subscribers)) == 3
    clients[0].close()
    deadline = time.monotonic() + 2
    while server.call(lambda: len(server.hub().subscribers)) != 2:
        assert time.monotonic() < deadline, "the closed stream is still subscribed"
        time.sleep(0.01)
    [event] = emit_for(world.school_a)
    assert [c.next_event().id for c in clients[1:]] == [event.pk, event.pk]


def test_slow_client_is_cut_off_and_resumes_from_its_last_id(server, world, teacher_a, settings):
    """A client that stops reading costs bounded memory: once too far behind, its stream ends; it reconnects
    with its last id and gets everything."""
    settings.SCHOOLSAFE_EVENTS_PENDING_LIMIT = 20
    headers = bearer(teacher_a)
    slow = SSEClient(server.port, headers=headers)
    # 15 MB: more than the loopback socket buffers hold, so the server's writes must back up.
    big = "x" * 100_000
    ids = [emit_event("alert.raised", {"blob": big, "n": i}, staff_of(world.school_a)).pk for i in range(150)]
    deadline = time.monotonic() + 10
    while server.call(lambda: [s.reason for s in server.hub().subscribers]) != ["behind"]:
        assert time.monotonic() < deadline, "the slow stream was never cut off"
        time.sleep(0.05)
    got = []
    with pytest.raises(StreamClosed):
        while True:
            got.append(slow.next_event(5).id)
    assert got == ids[:len(got)] and len(got) < len(ids)
    resumed = SSEClient(server.port, headers={**headers, "Last-Event-ID": str(got[-1] if got else 0)})
    rest = [resumed.next_event().id for _ in range(len(ids) - len(got))]
    assert got + rest == ids


def test_event_whose_wake_up_was_lost_still_arrives_through_the_poll(world, teacher_a, settings):
    """A row written without any wake-up (no in-process signal, no NOTIFY) is found by the hub's poll."""
    from schoolsafe.testing.servers import ThreadServer

    settings.SCHOOLSAFE_EVENTS_POLL = 0.3
    headers = bearer(teacher_a)
    running = ThreadServer().start()
    try:
        client = SSEClient(running.port, headers=headers)
        event = Event.objects.create(kind="alert.raised", data={"quiet": True}, audience=staff_of(world.school_a))
        got = client.next_event(3)
        assert (got.id, got.json()) == (event.pk, {"quiet": True})
    finally:
        running.stop()


def test_streams_are_reauthenticated_so_a_revoked_token_stops_receiving(server, world, teacher_a, settings):
    from schoolsafe.accounts.actions import do_revoke_api_token
    from schoolsafe.accounts.models import ApiToken

    settings.SCHOOLSAFE_EVENTS_MAX_AGE = 0.5
    headers = bearer(teacher_a)
    client = SSEClient(server.port, headers=headers)
    [first] = emit_for(world.school_a)
    assert client.next_event().id == first.pk
    do_revoke_api_token(teacher_a, ApiToken.objects.get(user=teacher_a))
    with pytest.raises(StreamClosed, match="ended the stream"):
        client.next_event(2)
    assert SSEClient(server.port, headers={**headers, "Last-Event-ID": str(first.pk)}).status == 401
