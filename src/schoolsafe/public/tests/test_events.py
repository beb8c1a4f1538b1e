"""The events' iCalendar feed (RFC 5545), and the audited edits behind it."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from schoolsafe.audit.models import AuditEntry
from schoolsafe.public.actions import do_save_event
from schoolsafe.public.models import PublicEvent
from schoolsafe.testing.personas import make_person


def test_the_feed_lists_published_events_in_the_readers_language(world):
    liaison = make_person("liaison_a", "community_liaison", world.district_a, "district")
    start = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    event = do_save_event(liaison, PublicEvent(title_en="Parent workshop", title_es="Taller para padres",
                                               description_en="How to talk about safety.", location="Library",
                                               starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                               district=world.district_a, published=True))
    do_save_event(liaison, PublicEvent(title_en="Not yet", location="x", starts_at=start, ends_at=start))
    response = Client().get("/public/es/events.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Taller para padres"]
    vevent = events[0]
    assert str(vevent["UID"]) == f"{event.uid}@schoolsafe" and str(vevent["LOCATION"]) == "Library"
    assert vevent.decoded("DTSTART") == start and vevent.decoded("DTEND") == start + dt.timedelta(hours=1)
    assert int(vevent["SEQUENCE"]) == 0
    # The English version has no Spanish fallback problem: English text.
    english = Calendar.from_ical(Client().get("/public/en/events.ics").content)
    assert [str(e["SUMMARY"]) for e in english.walk("VEVENT")] == ["Parent workshop"]
    # A change raises SEQUENCE so subscribed calendars take it; the edit is audited.
    event.location = "Gym"
    do_save_event(liaison, event, changed=["location"])
    vevent = Calendar.from_ical(Client().get("/public/en/events.ics").content).walk("VEVENT")[0]
    assert int(vevent["SEQUENCE"]) == 1 and str(vevent["LOCATION"]) == "Gym"
    assert AuditEntry.objects.filter(action__in=["public.create_event", "public.change_event"], actor=liaison).count() == 3
