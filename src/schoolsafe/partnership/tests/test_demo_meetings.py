"""The demo county's partnership meetings: one held last month with minutes and two open items (one overdue),
the next one scheduled; a second load adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from schoolsafe.accounts.county import load_demo
from schoolsafe.partnership.models import ActionItem, JointMeeting

pytestmark = pytest.mark.django_db


def test_the_demo_meetings():
    load_demo()
    held = JointMeeting.objects.get(status="held")
    assert held.agency.name == "Cedar Falls Police Department" and held.minutes and len(held.decisions) == 3
    assert held.starts_at < timezone.now()
    items = ActionItem.objects.filter(meeting=held, status="open")
    assert items.count() == 2 and sum(i.is_overdue() for i in items) == 1
    upcoming = JointMeeting.objects.get(status="scheduled")
    assert upcoming.starts_at > timezone.now() and upcoming.attendees.count() == 5
    counts = (JointMeeting.objects.count(), ActionItem.objects.count())
    assert load_demo() is False
    assert (JointMeeting.objects.count(), ActionItem.objects.count()) == counts
