"""Escalation of unclaimed urgent tips to the on-call analyst, deadline reminders, and the worker's sweep."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import client_for
from schoolsafe.tips.actions import TipInput, do_submit_tip, sweep_due_tips
from schoolsafe.tips.models import OnCallShift, Tip
from schoolsafe.tips.tasks import sweep_tips
from schoolsafe.tips.tests.factories import TipFactory


def urgent_tip(world, minutes_ago: float) -> Tip:
    received = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return TipFactory.create(school=world.school_a, category="weapon", urgent=True, urgency_score=100, received_at=received,
                      deadline=received + dt.timedelta(hours=1))


def on_call(user, district, hours: float = 8) -> OnCallShift:
    now = timezone.now()
    return OnCallShift.objects.create(user=user, district=district, starts_at=now - dt.timedelta(hours=1),
                                      ends_at=now + dt.timedelta(hours=hours))


def test_an_urgent_tip_unclaimed_for_5_minutes_goes_to_the_on_call_analyst(world, analyst_a, analyst_agency):
    on_call(analyst_agency, world.district_a)  # on call for the district, though an agency analyst
    fresh, late = urgent_tip(world, 4), urgent_tip(world, 6)
    result = sweep_due_tips()
    assert result.escalated == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.escalated_at is not None and late.escalated_to == analyst_agency and fresh.escalated_at is None
    entry = AuditEntry.objects.get(action="tips.escalate_tip")
    assert entry.actor_name == "system" and entry.summary["on_call"] == "analyst_agency"
    event = Event.objects.get(kind="tip.escalated")
    assert event.audience == [f"user:{analyst_agency.pk}"] and event.data["tip_id"] == late.pk
    assert "what" not in event.data  # tip text never travels in events
    # Once only.
    assert sweep_due_tips().escalated == 0
    # The analyst's page says so.
    page = client_for(analyst_a).get(f"/tips/{late.pk}/").content.decode()
    assert "Escalated" in page and "Analyst Agency" in page


def test_without_an_on_call_analyst_every_analyst_of_the_tip_is_told(world, analyst_a):
    tip = urgent_tip(world, 10)
    sweep_due_tips()
    event = Event.objects.get(kind="tip.escalated")
    assert f"district:{world.district_a.pk}:tip_analyst" in event.audience
    assert f"agency:{world.agency_a.pk}:tip_analyst" in event.audience
    tip.refresh_from_db()
    assert tip.escalated_to is None and tip.escalated_at


def test_a_claimed_or_closed_or_calm_tip_does_not_escalate(world, analyst_a):
    claimed = urgent_tip(world, 10)
    client_for(analyst_a).post(f"/tips/{claimed.pk}/claim/")
    closed = urgent_tip(world, 10)
    client_for(analyst_a).post(f"/tips/{closed.pk}/close/", {"outcome": "unfounded"})
    TipFactory(school=world.school_a, received_at=timezone.now() - dt.timedelta(hours=2))
    assert sweep_due_tips().escalated == 0
    assert not AuditEntry.objects.filter(action="tips.escalate_tip").exists()


def test_an_on_call_analyst_of_another_district_is_not_chosen(world, analyst_b):
    on_call(analyst_b, world.district_a)  # wrongly entered: analyst_b cannot see district A's tips
    tip = urgent_tip(world, 10)
    sweep_due_tips()
    tip.refresh_from_db()
    assert tip.escalated_to is None


def test_overdue_open_tips_are_reminded_once_a_day(world, analyst_a):
    overdue = TipFactory(school=world.school_a, deadline=timezone.now() - dt.timedelta(minutes=1))
    client_for(analyst_a).post(f"/tips/{overdue.pk}/claim/")
    TipFactory(school=world.school_a)  # not due yet
    now = timezone.now()
    assert sweep_due_tips(now).reminded == 1
    event = Event.objects.get(kind="tip.overdue")
    assert event.audience == [f"user:{analyst_a.pk}"]
    assert sweep_due_tips(now + dt.timedelta(hours=1)).reminded == 0
    assert sweep_due_tips(now + dt.timedelta(hours=25)).reminded == 1
    assert AuditEntry.objects.filter(action="tips.remind_overdue").count() == 2
    page = client_for(analyst_a).get("/tips/").content.decode()
    assert "(overdue)" in page


def test_submitting_a_tip_makes_sure_a_sweep_is_queued_by_the_time_it_falls_due(world):
    calm, _ = do_submit_tip(TipInput(category="other", school=world.school_a, what="a lost dog"))
    task = DBTaskResult.objects.get(task_path=sweep_tips.module_path)
    assert abs((task.run_after - calm.deadline).total_seconds()) < 1
    urgent, _ = do_submit_tip(TipInput(category="weapon", school=world.school_a, what="gun"))
    first = DBTaskResult.objects.filter(task_path=sweep_tips.module_path).order_by("run_after").first()
    assert abs((first.run_after - (urgent.received_at + dt.timedelta(minutes=5))).total_seconds()) < 1
    # A sweep is already queued before this one's deadline: no second row (a flood of tips adds none).
    do_submit_tip(TipInput(category="other", school=world.school_a, what="graffiti"))
    assert DBTaskResult.objects.filter(task_path=sweep_tips.module_path).count() == 2


def test_the_worker_task_sweeps_and_schedules_the_next_sweep(world, analyst_a):
    escalated = urgent_tip(world, 10)  # its deadline is in 50 minutes
    TipFactory(school=world.school_a)  # due in 72 hours
    result = sweep_tips.call()
    assert result["escalated"] == 1
    nxt = DBTaskResult.objects.filter(task_path=sweep_tips.module_path, run_after__gt=timezone.now())
    assert nxt.count() == 1 and abs((nxt.get().run_after - escalated.deadline).total_seconds()) < 1
    sweep_tips.call()  # the next sweep is already queued: not queued twice
    assert nxt.count() == 1


def test_the_escalation_goes_out_through_the_districts_notification_channels(world, analyst_a, director_a):
    from schoolsafe.notifications.actions import do_create_channel
    from schoolsafe.notifications.models import Delivery, Notification

    channel, _ = do_create_channel(director_a, world.district_a, "email", name="Tip line on call",
                                   event_kinds=["tip.escalated"], recipients="oncall@district-a.example")
    on_call(analyst_a, world.district_a)
    tip = urgent_tip(world, 6)
    sweep_due_tips()
    notification = Notification.objects.get(event_kind="tip.escalated")
    assert tip.code in notification.subject and "Analyst A" in notification.text
    assert tip.what not in notification.text and tip.what not in str(notification.payload)
    assert Delivery.objects.filter(notification=notification, channel=channel).count() == 1


def test_analysts_hear_of_an_urgent_tip_at_once_and_of_others_in_the_queue(world):
    calm, _ = do_submit_tip(TipInput(category="other", school=world.school_a, what="graffiti on the gym"))
    assert not Event.objects.filter(kind="tip.received").exists()
    urgent, _ = do_submit_tip(TipInput(category="other", school=world.school_a, what="he has a gun"))
    event = Event.objects.get(kind="tip.received")
    assert event.data["tip_id"] == urgent.pk and event.data["urgent"] is True
    assert set(event.audience) == {f"district:{world.district_a.pk}:tip_analyst", f"agency:{world.agency_a.pk}:tip_analyst"}
