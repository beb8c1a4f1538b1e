"""MOU review reminders: 30 days before the review date and on it, once per stage, through the notification
channels (an event kind with a notice) and a mail to both parties' administrators; run by the worker's scan."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from schoolsafe.events.kinds import get_kind
from schoolsafe.events.models import Event
from schoolsafe.notifications.models import WorkerMail
from schoolsafe.sro import actions
from schoolsafe.sro.models import Mou
from schoolsafe.sro.tasks import MouReviewScanner

pytestmark = pytest.mark.django_db

REVIEW = dt.date(2026, 6, 15)


@pytest.fixture
def signed_mou(world, director_a, agency_admin_a) -> Mou:
    director_a.email = "director@district-a.example"
    director_a.save()
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        mou = actions.do_create_mou(director_a, agency=world.agency_a, district=world.district_a, title="SRO MOU",
                                    effective_date=dt.date(2025, 8, 1), expiry_date=dt.date(2027, 7, 31),
                                    review_date=REVIEW)
        actions.do_add_signatory(director_a, mou, name="Chief", title="Chief", side="agency",
                                 signed_on=dt.date(2025, 7, 1))
        actions.do_add_signatory(director_a, mou, name="Director", title="Director", side="district",
                                 signed_on=dt.date(2025, 7, 1))
        return actions.do_mark_mou_signed(director_a, mou)


def _on(day: dt.date) -> time_machine.travel:
    # Noon UTC is the same calendar day in every US time zone the settings use.
    return time_machine.travel(dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC), tick=False)


def scan_on(day: dt.date) -> int:
    with _on(day):
        assert timezone.localdate() == day
        return actions.do_send_mou_review_reminders()


def test_reminders_fire_30_days_before_and_on_the_review_date_once_per_stage(signed_mou):
    assert scan_on(REVIEW - dt.timedelta(days=31)) == 0
    assert scan_on(REVIEW - dt.timedelta(days=30)) == 1
    # Scanned again the same day and every day after: nothing more until the date is reached.
    assert scan_on(REVIEW - dt.timedelta(days=30)) == 0
    assert scan_on(REVIEW - dt.timedelta(days=1)) == 0
    assert scan_on(REVIEW) == 1
    assert scan_on(REVIEW) == 0
    assert scan_on(REVIEW + dt.timedelta(days=5)) == 0

    events = list(Event.objects.filter(kind="sro.mou_review_due").order_by("id"))
    assert [e.data["stage"] for e in events] == ["soon", "due"]
    mails = list(WorkerMail.objects.filter(purpose="sro.mou_review_reminder").order_by("id"))
    assert len(mails) == 2
    assert sorted(mails[0].recipients) == ["chief@agency-a.example", "director@district-a.example"]
    assert "June 15, 2026" in mails[0].body and "SRO MOU" in mails[0].subject


def test_a_new_review_date_is_reminded_again(signed_mou):
    assert scan_on(REVIEW - dt.timedelta(days=10)) == 1
    Mou.objects.filter(pk=signed_mou.pk).update(review_date=REVIEW + dt.timedelta(days=365))
    assert scan_on(REVIEW) == 0
    assert scan_on(REVIEW + dt.timedelta(days=340)) == 1


def test_a_review_date_already_past_sends_only_the_due_reminder(signed_mou):
    assert scan_on(REVIEW + dt.timedelta(days=3)) == 1
    assert scan_on(REVIEW + dt.timedelta(days=4)) == 0
    assert [e.data["stage"] for e in Event.objects.filter(kind="sro.mou_review_due")] == ["due"]


def test_the_kind_has_a_notice_for_the_channels(signed_mou):
    scan_on(REVIEW - dt.timedelta(days=30))
    event = Event.objects.get(kind="sro.mou_review_due")
    notice = get_kind("sro.mou_review_due").notice_function()(event, {})
    assert "SRO MOU" in notice.subject and "2026-06-15" in notice.text
    assert world_names_in(notice.text)


def world_names_in(text: str) -> bool:
    return "Agency A Police" in text and "District A" in text


def test_the_worker_scan_sends_them(signed_mou):
    scanner = MouReviewScanner(interval=60, worker_id="test")
    with _on(REVIEW):
        scanner.scan()
    assert Event.objects.filter(kind="sro.mou_review_due", data__stage="due").count() == 1


def test_an_mou_past_its_expiry_is_marked_expired(signed_mou):
    scan_on(dt.date(2027, 8, 1))
    signed_mou.refresh_from_db()
    assert signed_mou.status == Mou.Status.EXPIRED


def test_a_districts_email_channel_carries_the_reminder(world, signed_mou):
    from schoolsafe.notifications.actions import do_create_channel
    from schoolsafe.notifications.models import Delivery

    channel, _ = do_create_channel("admin", world.district_a, "email", name="Safety office",
                                   event_kinds=["sro.mou_review_due"], recipients="safety@district-a.example")
    other, _ = do_create_channel("admin", world.district_b, "email", name="Other district",
                                 event_kinds=["sro.mou_review_due"], recipients="safety@district-b.example")
    scan_on(REVIEW - dt.timedelta(days=30))
    deliveries = list(Delivery.objects.all())
    assert [(d.channel_id, d.recipient) for d in deliveries] == [(channel.pk, "safety@district-a.example")]
    assert "SRO MOU" in deliveries[0].notification.subject
