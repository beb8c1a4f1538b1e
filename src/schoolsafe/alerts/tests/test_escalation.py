"""Escalation: dispatch that has not acknowledged an emergency in time brings in the police supervisor."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import Alert, EscalationPolicy, EscalationTimer
from schoolsafe.alerts.tasks import fire_due_timers
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event


def raise_alert(api, user, school, **overrides) -> Alert:
    response = api(user).post(ALERTS_URL, lockdown(school, **overrides))
    assert response.status_code == 201, response.content
    return Alert.objects.get(pk=response.json()["id"])


def wait_until_due(alert: Alert) -> None:
    due = EscalationTimer.objects.get(alert=alert).due_at
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)


@pytest.mark.django_db
def test_without_a_dispatch_acknowledgement_the_alert_escalates_to_the_supervisor(
    api, world, teacher_a, supervisor_a, quick_escalation
):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert fire_due_timers("worker-1") == 0  # not yet due

    wait_until_due(alert)
    assert fire_due_timers("worker-1") == 1
    assert fire_due_timers("worker-1") == 0  # fired once, never again

    timer = EscalationTimer.objects.get(alert=alert)
    assert timer.state == "fired" and timer.claimed_by == "worker-1" and timer.timeout_seconds == 1
    assert timer.fired_at >= timer.due_at
    event = Event.objects.get(kind="alert.escalated")
    assert event.subject_id == str(alert.pk)
    assert f"agency:{world.agency_a.pk}:police_supervisor" in event.audience
    assert f"school:{world.school_a.pk}:staff" in event.audience  # the existing audience is kept
    assert event.data["escalation"]["to_role"] == "police_supervisor"
    assert event.data["escalation"]["timeout_seconds"] == 1
    entry = AuditEntry.objects.get(action="alerts.escalate_alert")
    assert entry.object_id == str(alert.pk) and entry.actor_name == "worker:worker-1"
    # What the supervisor sees when opening the alert:
    shown = api(supervisor_a).get(f"{ALERTS_URL}/{alert.pk}").json()
    assert shown["escalated_at"] is not None


@pytest.mark.django_db
def test_a_dispatch_acknowledgement_before_the_deadline_stops_the_escalation(api, world, teacher_a, dispatcher,
                                                                            quick_escalation):
    alert = raise_alert(api, teacher_a, world.school_a)
    ack = api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge")
    assert ack.status_code == 200

    wait_until_due(alert)
    assert fire_due_timers("worker-1") == 0
    timer = EscalationTimer.objects.get(alert=alert)
    assert timer.state == "cancelled" and timer.cancel_reason == "acknowledged by dispatch"
    assert not Event.objects.filter(kind="alert.escalated").exists()
    assert Event.objects.get(kind="alert.acknowledged").data["by_dispatch"] is True
    alert.refresh_from_db()
    assert alert.escalated_at is None


@pytest.mark.django_db
def test_a_teachers_acknowledgement_does_not_stop_it(api, world, teacher_a, principal_a, quick_escalation):
    alert = raise_alert(api, teacher_a, world.school_a)
    api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/acknowledge")
    wait_until_due(alert)
    assert fire_due_timers("worker-1") == 1


@pytest.mark.django_db
def test_an_all_clear_before_the_deadline_stops_it(api, world, teacher_a, principal_a, quick_escalation):
    alert = raise_alert(api, teacher_a, world.school_a)
    api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"concurring_officer": "Officer Ruiz, badge 4411"})
    wait_until_due(alert)
    assert fire_due_timers("worker-1") == 0
    assert EscalationTimer.objects.get(alert=alert).state == "cancelled"


@pytest.mark.django_db
def test_a_second_worker_never_fires_a_timer_the_first_has_fired(api, world, teacher_a, quick_escalation):
    alert = raise_alert(api, teacher_a, world.school_a)
    timer = EscalationTimer.objects.get(alert=alert)
    wait_until_due(alert)

    assert actions.do_fire_escalation_timer(timer.pk, "worker-1") is True
    assert actions.do_fire_escalation_timer(timer.pk, "worker-2") is False
    assert EscalationTimer.objects.get(pk=timer.pk).claimed_by == "worker-1"
    assert Event.objects.filter(kind="alert.escalated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_the_same_moment_fire_each_timer_once(api, world, teacher_a, quick_escalation,
                                                                      settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # four incidents, four timers
    alerts = [raise_alert(api, teacher_a, world.school_a, reason=f"alert {n}") for n in range(4)]
    wait_until_due(alerts[-1])
    barrier = threading.Barrier(2)
    fired: dict[str, int] = {}

    def scan(worker_id: str) -> None:
        try:
            barrier.wait(timeout=10)
            fired[worker_id] = fire_due_timers(worker_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(w,)) for w in ("worker-1", "worker-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert fired["worker-1"] + fired["worker-2"] == 4
    assert Event.objects.filter(kind="alert.escalated").count() == 4
    assert EscalationTimer.objects.filter(fired_at__isnull=False).count() == 4


# --- the policy is data ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_policy_dispatch_has_30_seconds(api, world, teacher_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    timer = EscalationTimer.objects.get(alert=alert)
    assert timer.timeout_seconds == 30
    assert abs((timer.due_at - alert.raised_at).total_seconds() - 30) < 0.001


@pytest.mark.django_db
def test_a_schools_policy_overrides_its_agencys(api, world, teacher_a, quick_escalation):
    EscalationPolicy.objects.create(school=world.school_a, ack_timeout_seconds=90, escalate_to_role="agency_admin")
    alert = raise_alert(api, teacher_a, world.school_a)
    timer = EscalationTimer.objects.get(alert=alert)
    assert (timer.timeout_seconds, timer.escalate_to_role) == (90, "agency_admin")


@pytest.mark.django_db
def test_a_school_may_switch_escalation_off(api, world, teacher_a, quick_escalation):
    EscalationPolicy.objects.create(school=world.school_a, enabled=False)
    alert = raise_alert(api, teacher_a, world.school_a)
    assert not EscalationTimer.objects.filter(alert=alert).exists()


@pytest.mark.django_db
def test_of_several_serving_agencies_the_most_urgent_rule_wins(api, world, teacher_a, quick_escalation):
    world.school_a.agencies.add(world.agency_b)
    EscalationPolicy.objects.create(agency=world.agency_b, ack_timeout_seconds=45)
    alert = raise_alert(api, teacher_a, world.school_a)
    assert EscalationTimer.objects.get(alert=alert).timeout_seconds == 1


@pytest.mark.django_db
def test_a_policy_names_one_organization(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationPolicy.objects.create(agency=world.agency_a, school=world.school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationPolicy.objects.create()


# --- repeats: escalating again while dispatch stays silent -------------------------------------------------


def fire_when_due(timer: EscalationTimer) -> bool:
    """Fire `timer` as a worker scanning just after it fell due would (no waiting in the test)."""
    return actions.do_fire_escalation_timer(timer.pk, "worker-1", now=timer.due_at + dt.timedelta(milliseconds=5))


def pending(alert: Alert) -> EscalationTimer | None:
    return EscalationTimer.objects.filter(alert=alert, fired_at__isnull=True, cancelled_at__isnull=True).first()


@pytest.mark.django_db
def test_a_policy_with_repeats_escalates_again_until_they_run_out(api, world, teacher_a):
    EscalationPolicy.objects.create(school=world.school_a, ack_timeout_seconds=30, repeats=2, repeat_every_seconds=60)
    alert = raise_alert(api, teacher_a, world.school_a)
    fired_at = []
    while (timer := pending(alert)) is not None:
        assert fire_when_due(timer) is True
        fired_at.append(EscalationTimer.objects.get(pk=timer.pk).fired_at)
    assert len(fired_at) == 3
    # 60 s apart, after the first one 30 s after the raise.
    assert [round((b - a).total_seconds()) for a, b in zip([alert.raised_at, *fired_at], fired_at)] == [30, 60, 60]
    events = Event.objects.filter(kind="alert.escalated").order_by("id")
    assert [(e.data["escalation"]["attempt"], e.data["escalation"]["repeats_left"]) for e in events] == [
        (1, 2), (2, 1), (3, 0)]
    assert AuditEntry.objects.filter(action="alerts.escalate_alert").count() == 3


@pytest.mark.django_db
def test_a_dispatch_acknowledgement_after_the_first_escalation_stops_the_repeats(api, world, teacher_a, dispatcher):
    EscalationPolicy.objects.create(school=world.school_a, ack_timeout_seconds=30, repeats=5, repeat_every_seconds=60)
    alert = raise_alert(api, teacher_a, world.school_a)
    assert fire_when_due(pending(alert)) is True
    following = pending(alert)
    assert following is not None and following.attempt == 2

    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200
    assert pending(alert) is None
    assert fire_when_due(following) is False
    assert Event.objects.filter(kind="alert.escalated").count() == 1


@pytest.mark.django_db
def test_a_repeat_that_an_acknowledgement_missed_is_dropped_when_it_falls_due(api, world, teacher_a, dispatcher):
    """On PostgreSQL an acknowledgement can commit while the escalation that makes the next timer is still
    running, so that its cancel does not see that timer: the timer checks again when it falls due."""
    from schoolsafe.alerts.models import Acknowledgement

    EscalationPolicy.objects.create(school=world.school_a, ack_timeout_seconds=30, repeats=5, repeat_every_seconds=60)
    alert = raise_alert(api, teacher_a, world.school_a)
    assert fire_when_due(pending(alert)) is True
    following = pending(alert)
    Acknowledgement.objects.create(alert=alert, user=dispatcher, at=timezone.now())  # its cancel missed `following`

    assert fire_when_due(following) is False
    following.refresh_from_db()
    assert (following.state, following.cancel_reason) == ("cancelled", "acknowledged by dispatch")
    assert pending(alert) is None
    assert Event.objects.filter(kind="alert.escalated").count() == 1
