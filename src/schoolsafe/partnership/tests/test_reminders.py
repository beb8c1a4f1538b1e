"""Action-item reminders: N days before due (3 by default) and once overdue, each sent once per item and stage,
as an event channels can carry and a mail to the owner; the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from schoolsafe.events.kinds import get_kind
from schoolsafe.events.models import Event
from schoolsafe.notifications.models import WorkerMail
from schoolsafe.partnership.actions import do_create_action_item, do_send_action_item_reminders, do_update_action_item
from schoolsafe.partnership.tasks import start_reminder_scanner

pytestmark = pytest.mark.django_db

DUE = dt.date(2031, 3, 20)


@pytest.fixture
def item(world, meeting, director, officer_a):
    return do_create_action_item(director, title="Review the MOU's information-sharing section", owner=officer_a,
                                 organization=world.agency_a, due_on=DUE, meeting=meeting)


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def reminders(stage: str) -> list[WorkerMail]:
    return list(WorkerMail.objects.filter(purpose=f"partnership.action_item_{stage}"))


def test_due_soon_then_overdue_each_once(item, officer_a, time_machine):
    time_machine.move_to(at(DUE - dt.timedelta(days=4)))
    assert do_send_action_item_reminders() == 0
    time_machine.move_to(at(DUE - dt.timedelta(days=3)))
    assert do_send_action_item_reminders() == 1
    assert do_send_action_item_reminders() == 0
    [mail] = reminders("due_soon")
    assert mail.recipients == [officer_a.email] and "due on March 20, 2031" in mail.body
    [event] = Event.objects.filter(kind="partnership.action_item_due_soon")
    assert event.data["action_item_id"] == item.pk and event.audience == [f"user:{officer_a.pk}"]
    time_machine.move_to(at(DUE))
    assert do_send_action_item_reminders() == 0  # due today is not overdue
    time_machine.move_to(at(DUE + dt.timedelta(days=1)))
    assert do_send_action_item_reminders() == 1
    assert do_send_action_item_reminders() == 0
    time_machine.move_to(at(DUE + dt.timedelta(days=9)))
    assert do_send_action_item_reminders() == 0
    [overdue] = reminders("overdue")
    assert overdue.subject.startswith("Overdue action item") and "1 day ago" in overdue.body
    assert Event.objects.filter(kind="partnership.action_item_overdue").count() == 1
    assert len(reminders("due_soon")) == 1


def test_the_window_is_a_setting(item, settings, time_machine):
    settings.SCHOOLSAFE_ACTION_ITEM_REMINDER_DAYS = 7
    time_machine.move_to(at(DUE - dt.timedelta(days=7)))
    assert do_send_action_item_reminders() == 1


def test_done_items_are_not_reminded_and_a_new_due_date_rearms(item, director, officer_a, time_machine):
    time_machine.move_to(at(DUE + dt.timedelta(days=2)))
    assert do_send_action_item_reminders() == 1
    do_update_action_item(director, item, due_on=DUE + dt.timedelta(days=30))
    time_machine.move_to(at(DUE + dt.timedelta(days=28)))
    assert do_send_action_item_reminders() == 1  # due soon for the new date
    do_update_action_item(officer_a, item, status="done", evidence="Reviewed with counsel on the 30th")
    time_machine.move_to(at(DUE + dt.timedelta(days=60)))
    assert do_send_action_item_reminders() == 0


def test_the_notice_words_the_reminder_for_channels(item, time_machine):
    time_machine.move_to(at(DUE + dt.timedelta(days=1)))
    do_send_action_item_reminders()
    event = Event.objects.get(kind="partnership.action_item_overdue")
    notice = get_kind("partnership.action_item_overdue").notice_function()(event, {})
    assert notice.subject == "Action item overdue: Review the MOU's information-sharing section"
    assert f"/partnership/action-items/{item.pk}/" in notice.text and notice.payload["due_on"] == "2031-03-20"


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_one_reminder(item, time_machine):
    """Of two scans at once (threads with their own connections), the conditional UPDATE lets one send."""
    time_machine.move_to(at(DUE + dt.timedelta(days=1)))
    results: list[int] = []
    barrier = threading.Barrier(2)

    def scan() -> None:
        barrier.wait()
        results.append(do_send_action_item_reminders())
        connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [0, 1]
    assert len(reminders("overdue")) == 1


def test_a_stage_is_claimed_once(item):
    from schoolsafe.partnership.actions.meetings import _claim

    assert _claim(item.pk, DUE, "overdue_reminded_for") is True
    assert _claim(item.pk, DUE, "overdue_reminded_for") is False


def test_the_worker_loop_starts_and_stops():
    scanner = start_reminder_scanner("test-worker", interval=0.05)
    scanner.stop()
    scanner.join(5)
    assert not scanner.is_alive()
