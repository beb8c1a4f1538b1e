"""The hub's bookkeeping, without sockets: what it does with a poll's answer and with a handed-over event."""

from __future__ import annotations

import asyncio

import pytest

from schoolsafe.events.bus import Hub, RecentEvent


@pytest.fixture
def hub():
    loop = asyncio.new_event_loop()
    hub = Hub(loop)
    hub.started = True
    hub.last_id = hub.recent_floor = 10
    hub.recent.append(RecentEvent(10, frozenset({"school:1:staff"}), b"id: 10\n\n"))
    yield hub
    loop.close()


def test_a_poll_that_began_before_an_event_was_handed_over_changes_nothing(hub):
    # The poll's query ran when last_id was 10 and saw 10; meanwhile event 11 was committed and delivered.
    hub.committed(11, "alert.raised", {"n": 11}, ["school:1:staff"])
    assert hub.last_id == 11
    hub.polled(10, before=10)
    assert hub.last_id == 11
    assert [e.id for e in hub.recent] == [10, 11]
    assert not hub._wakeup.is_set()


def test_a_table_that_went_backwards_is_followed(hub):
    hub.polled(4, before=10)
    assert hub.last_id == hub.recent_floor == 4
    assert not hub.recent


def test_a_poll_that_finds_newer_rows_wakes_the_hub(hub):
    hub.polled(12, before=10)
    assert hub._wakeup.is_set()
    assert hub.last_id == 10  # the hub reads them from the table, in order


def test_an_event_after_a_gap_is_read_from_the_table_not_delivered_from_memory(hub):
    # 11 was committed by another process and not seen yet: 12 must wait for it.
    hub.committed(12, "alert.raised", {"n": 12}, ["school:1:staff"])
    assert hub.last_id == 10
    assert hub._wakeup.is_set()
