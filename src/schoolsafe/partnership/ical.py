"""The iCalendar invitation of a joint meeting (RFC 5545), as an iTIP message (RFC 5546).

One VCALENDAR with one VEVENT. An invitation or an update is METHOD:REQUEST; a cancellation, and the
message to a person taken off the list, is METHOD:CANCEL with STATUS:CANCELLED (RFC 5546 3.2.5). The UID
is the meeting's own and never changes, so a calendar replaces the event it already holds; SEQUENCE is the
meeting's revision number, which every change that is mailed increments (RFC 5546 2.1.4: a calendar
ignores a message whose SEQUENCE is lower than the one it has). Times are written in UTC (RFC 5545 3.3.5,
form 2), which every calendar reads without a VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//SchoolSafe//Police-school partnership//EN"
MIMETYPE = "text/calendar"


def meeting_uid(meeting: Any) -> str:
    """The invitation's UID: the meeting's UUID, with a domain as RFC 5545 3.8.4.7 recommends."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "schoolsafe.invalid"
    return f"meeting-{meeting.uid}@{domain}"


def _address(user: Any, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(getattr(user, "display_name", "") or user.get_full_name() or user.username)
    if role:
        address.params["ROLE"] = vText(role)
    return address


def _organizer(meeting: Any) -> vCalAddress:
    if meeting.organizer is not None and meeting.organizer.email:
        return _address(meeting.organizer)
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = vCalAddress(f"mailto:{email or 'schoolsafe@schoolsafe.invalid'}")
    address.params["CN"] = vText(name or "SchoolSafe")
    return address


def _description(meeting: Any) -> str:
    sides = f"{meeting.agency.name} and {meeting.district.name}"
    if meeting.school_id:
        sides += f" ({meeting.school.name})"
    agenda = meeting.agenda.strip() or "No agenda yet."
    return f"{meeting.get_kind_display()} between {sides}.\n\nAgenda:\n{agenda}"


def meeting_calendar(meeting: Any, method: str | None = None, attendees: Iterable[Any] | None = None,
                     stamp: dt.datetime | None = None) -> bytes:
    """The meeting as an iTIP message: REQUEST while scheduled (or held), CANCEL once cancelled, or `method`
    ("CANCEL" to one attendee taken off the list). `attendees`: the ATTENDEE lines (default: the meeting's)."""
    cancelled = meeting.status == meeting.Status.CANCELLED
    method = method or ("CANCEL" if cancelled else "REQUEST")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", _description(meeting))
    event.add("organizer", _organizer(meeting))
    for user in (meeting.attendees.all() if attendees is None else attendees):
        if not user.email:
            continue
        address = _address(user, "REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
        event.add("attendee", address)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_filename(meeting: Any) -> str:
    return f"meeting-{meeting.pk}.ics"
