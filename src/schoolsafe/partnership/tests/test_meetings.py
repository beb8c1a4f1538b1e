"""Joint meetings: scheduling with both sides, the iCalendar invitation (RFC 5545 / RFC 5546) mailed to each
attendee, changes and cancellation, minutes, and refusals that name the field and write nothing."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar

from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.errors import ActionError
from schoolsafe.notifications.mail import send_due_mail
from schoolsafe.notifications.models import WorkerMail
from schoolsafe.partnership.actions import (
    do_cancel_meeting,
    do_record_minutes,
    do_schedule_meeting,
    do_update_meeting,
)
from schoolsafe.partnership.ical import meeting_calendar, meeting_uid
from schoolsafe.partnership.models import JointMeeting
from schoolsafe.partnership.tests.meetings_cast import next_week
from schoolsafe.testing.personas import make_person
from schoolsafe.testing.servers import SMTPServer

pytestmark = pytest.mark.django_db


def vevent(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def attendee_addresses(event) -> set[str]:
    values = event.get("attendee")
    values = values if isinstance(values, list) else [values]
    return {str(v).removeprefix("mailto:") for v in values}


def invitations() -> dict[str, WorkerMail]:
    return {mail.recipients[0]: mail for mail in WorkerMail.objects.filter(purpose="partnership.meeting_invitation")}


def test_scheduling_mails_each_attendee_a_request_that_icalendar_parses(meeting, officer_a, principal, director):
    mails = invitations()
    assert set(mails) == {"reyes@agency-a.test", "moore@school-a.test", "castillo@district-a.test"}
    attachment = mails["reyes@agency-a.test"].attachments[0]
    assert attachment["filename"] == f"meeting-{meeting.pk}.ics"
    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    calendar, event = vevent(attachment["content"].encode())
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    assert str(event["UID"]) == meeting_uid(meeting)
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == meeting.starts_at and event.decoded("DTEND") == meeting.ends_at
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "Quarterly partnership meeting"
    assert str(event["LOCATION"]) == "District office, room 2"
    assert "2. MOU review" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:castillo@district-a.test"
    assert attendee_addresses(event) == set(mails)
    reyes = next(a for a in event["ATTENDEE"] if "reyes" in str(a))
    assert reyes.params["CN"] == "Officer Marcus Reyes"
    assert (reyes.params["ROLE"], reyes.params["PARTSTAT"], reyes.params["RSVP"]) == (
        "REQ-PARTICIPANT", "NEEDS-ACTION", "TRUE")


def test_a_change_keeps_the_uid_raises_the_sequence_and_cancels_for_whoever_is_taken_off(
        meeting, director, officer_a, principal):
    WorkerMail.objects.all().delete()
    later = meeting.starts_at + dt.timedelta(hours=2)
    changed = do_update_meeting(director, meeting, starts_at=later, ends_at=later + dt.timedelta(hours=1),
                                attendees=[officer_a, director])
    assert changed.sequence == 1
    mails = invitations()
    _, event = vevent(mails["reyes@agency-a.test"].attachments[0]["content"].encode())
    assert str(event["UID"]) == meeting_uid(meeting) and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == later
    assert attendee_addresses(event) == {"reyes@agency-a.test", "castillo@district-a.test"}
    # The principal was taken off the list: a CANCEL for her alone (RFC 5546 3.2.5).
    calendar, removed = vevent(mails["moore@school-a.test"].attachments[0]["content"].encode())
    assert calendar["METHOD"] == "CANCEL" and removed["STATUS"] == "CANCELLED" and removed["SEQUENCE"] == 1
    assert attendee_addresses(removed) == {"moore@school-a.test"}


def test_cancelling_sends_method_cancel_with_status_cancelled(meeting, director):
    WorkerMail.objects.all().delete()
    do_cancel_meeting(director, meeting, reason="Snow day")
    mails = invitations()
    assert len(mails) == 3
    calendar, event = vevent(mails["castillo@district-a.test"].attachments[0]["content"].encode())
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == meeting_uid(meeting) and event["SEQUENCE"] == 1
    assert mails["castillo@district-a.test"].attachments[0]["mimetype"] == "text/calendar; method=CANCEL"
    with pytest.raises(ActionError) as refused:
        do_cancel_meeting(director, JointMeeting.objects.get(pk=meeting.pk))
    assert refused.value.status == 409


def test_the_invitation_reaches_the_smtp_server_with_a_text_calendar_part(settings, meeting):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        assert send_due_mail() == 3
        messages = server.wait_for(3)
    assert len(messages) == 3
    received = message_from_bytes(messages[0].as_bytes(), policy=policy.default)
    parts = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == f"meeting-{meeting.pk}.ics"
    calendar, event = vevent(parts[0].get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == meeting_uid(meeting)
    assert WorkerMail.objects.filter(status="delivered").count() == 3


def test_minutes_and_decisions_make_the_meeting_held(meeting, director, time_machine):
    time_machine.move_to(meeting.starts_at + dt.timedelta(hours=2))
    held = do_record_minutes(director, meeting, minutes="Coverage reviewed.", decisions=["Add a relief SRO", " "])
    assert held.status == "held" and held.decisions == ["Add a relief SRO"]
    assert AuditEntry.objects.filter(action="partnership.record_minutes", object_id=str(meeting.pk)).exists()


def test_minutes_before_the_meeting_are_refused(meeting, director):
    with pytest.raises(ActionError) as refused:
        do_record_minutes(director, meeting, minutes="Too early", decisions=[])
    assert refused.value.status == 409


def _schedule(world, actor, attendees, **overrides):
    arguments = dict(kind="quarterly", agency=world.agency_a, district=world.district_a, school=None,
                     title="Drill planning", starts_at=next_week(), ends_at=next_week(1), attendees=attendees)
    return do_schedule_meeting(actor, **(arguments | overrides))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"ends_at": next_week(-1)}, "ends_at"),
    ({"ends_at": next_week()}, "ends_at"),
    ({"starts_at": next_week().replace(tzinfo=None)}, "starts_at"),
    ({"agency": None}, "agency"),
    ({"district": None}, "district"),
    ({"title": " "}, "title"),
    ({"kind": "party"}, "kind"),
])
def test_bad_input_names_the_field_and_writes_nothing(world, director, officer_a, overrides, field):
    with pytest.raises(ActionError) as refused:
        _schedule(world, director, [officer_a, director], **overrides)
    assert refused.value.field == field and 400 <= refused.value.status < 500
    assert not JointMeeting.objects.exists() and not WorkerMail.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="partnership.").exists()


def test_the_agency_must_serve_a_school_of_the_district(world, director, officer_a):
    with pytest.raises(ActionError) as refused:
        _schedule(world, director, [officer_a, director], agency=world.agency_b)
    assert refused.value.field == "agency"
    with pytest.raises(ActionError) as refused:
        _schedule(world, director, [officer_a, director], school=world.school_b)
    assert refused.value.field == "school"
    assert not JointMeeting.objects.exists()


def test_a_person_from_neither_side_is_refused(world, director, officer_a, teacher_b, outsider):
    for stranger in (teacher_b, outsider, make_person("deputy_b", "officer", world.agency_b, "agency")):
        with pytest.raises(ActionError) as refused:
            _schedule(world, director, [officer_a, director, stranger])
        assert refused.value.field == "attendees" and stranger.display_name in refused.value.message
    assert not JointMeeting.objects.exists() and not WorkerMail.objects.exists()


def test_both_sides_must_attend(world, director, officer_a, teacher_a):
    with pytest.raises(ActionError) as refused:
        _schedule(world, director, [director, teacher_a])
    assert refused.value.field == "attendees" and "Agency A Police" in refused.value.message
    with pytest.raises(ActionError) as refused:
        _schedule(world, director, [officer_a])
    assert refused.value.field == "attendees" and "District A" in refused.value.message


def test_only_leads_arrange_meetings(world, officer_a, director, teacher_a, meeting):
    with pytest.raises(ActionError) as refused:
        _schedule(world, officer_a, [officer_a, director])
    assert refused.value.status == 403
    with pytest.raises(ActionError) as refused:
        do_update_meeting(teacher_a, meeting, title="Mine now")
    assert refused.value.status == 403
    assert JointMeeting.objects.get(pk=meeting.pk).title == "Quarterly partnership meeting"


def test_the_ics_of_a_cancelled_meeting_is_a_cancel(meeting, director):
    do_cancel_meeting(director, meeting)
    meeting.refresh_from_db()
    calendar, event = vevent(meeting_calendar(meeting))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
