"""The partnership demo data."""

from __future__ import annotations

from typing import Any


def load_meetings(county: Any) -> bool:
    """A quarterly partnership meeting of the Cedar Falls Police Department and the district held last month,
    with minutes, decisions and two open action items (one overdue), and the next one scheduled. Idempotent:
    nothing is added once the held meeting exists."""
    import datetime as dt

    from django.utils import timezone

    from schoolsafe.partnership.actions import do_create_action_item, do_record_minutes, do_schedule_meeting
    from schoolsafe.partnership.models import JointMeeting

    agency = county.agencies["Cedar Falls Police Department"]
    district, school = county.district, county.schools[county.school_a]
    if JointMeeting.objects.filter(agency=agency, district=district, kind=JointMeeting.Kind.QUARTERLY,
                                   status=JointMeeting.Status.HELD).exists():
        return False
    users = county.users
    director, agency_admin = users["director"], users["agencyadmin"]
    attendees = [users[name] for name in ("agencyadmin", "supervisor", "sro", "director", "principal")]
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    # Last month, a Tuesday at 15:30; the next one about two months later, the same weekday and hour.
    held_on = today - dt.timedelta(days=30 + (today.weekday() - 1) % 7)
    held_at = dt.datetime.combine(held_on, dt.time(15, 30), tzinfo=zone)
    next_at = held_at + dt.timedelta(weeks=13)
    agenda = ("1. SRO coverage at Cedar Falls High and the relief rotation\n"
              "2. The MOU's review: information sharing and FERPA\n"
              "3. Spring lockdown drill: dates and roles\n"
              "4. Referrals, citations and arrests this term")
    held = do_schedule_meeting(
        director, kind=JointMeeting.Kind.QUARTERLY, agency=agency, district=district, school=school,
        title="Quarterly partnership meeting", starts_at=held_at, ends_at=held_at + dt.timedelta(minutes=90),
        location="District office, conference room B", agenda=agenda, attendees=attendees)
    do_record_minutes(director, held, minutes=(
        "Sgt. Booker reported full SRO coverage except Tuesdays after 14:00, when Officer Reyes is in training; "
        "a relief officer is needed. Lt. Holloway and Dr. Castillo reviewed the MOU: the information-sharing "
        "section predates the district's FERPA annual notice and must name the school-official exception. The "
        "spring lockdown drill was set for the second week of next month. Referral numbers were reviewed; no "
        "group changed by more than the term before."), decisions=[
        "Cedar Falls PD names a relief officer for Tuesday afternoons at Cedar Falls High.",
        "The MOU's information-sharing section is redrafted before the next meeting.",
        "The spring lockdown drill is held in the second week of next month, with the SRO observing.",
    ])
    do_create_action_item(director, title="Name a relief officer for Tuesday afternoons at Cedar Falls High",
                          owner=users["supervisor"], organization=agency, due_on=today - dt.timedelta(days=9),
                          meeting=held)
    do_create_action_item(director, title="Redraft the MOU's information-sharing section (FERPA school-official "
                          "exception)", owner=director, organization=district,
                          due_on=next_at.date() - dt.timedelta(days=14), meeting=held)
    do_schedule_meeting(
        agency_admin, kind=JointMeeting.Kind.QUARTERLY, agency=agency, district=district, school=school,
        title="Quarterly partnership meeting", starts_at=next_at, ends_at=next_at + dt.timedelta(minutes=90),
        location="Cedar Falls Police Department, community room",
        agenda="1. Action items of the last meeting\n2. The redrafted MOU\n3. The spring drill's after-action review",
        attendees=attendees)
    return True


def load_agreements(county: Any) -> bool:
    """An information-sharing agreement citing FERPA's health-or-safety exception, and the verified 24/7
    directory of Cedar Falls High and the city police (one entry not verified for over 180 days, and the county's
    911 centre)."""
    import datetime as dt

    from django.utils import timezone

    from schoolsafe.partnership.actions import do_create_agreement, do_create_contact, do_verify_contact
    from schoolsafe.partnership.models import DirectoryEntry, SharingAgreement

    agency = county.agencies["Cedar Falls Police Department"]
    school = county.schools["Cedar Falls High School"]
    today = timezone.localdate()
    created = False
    if not SharingAgreement.objects.filter(agencies=agency, districts=county.district).exists():
        do_create_agreement(
            county.users["director"], agencies=[agency], districts=[county.district],
            title="Emergency information sharing: Cedar Falls Police Department and Pine Ridge County Public Schools",
            data_categories=["incident_reports", "threat_assessment", "directory_information", "video"],
            legal_basis="ferpa_health_safety", legal_citation="34 CFR 99.31(a)(10) and 99.36",
            retention_days=365 * 3, effective_date=today - dt.timedelta(days=200),
            expiry_date=today + dt.timedelta(days=530), status="active",
            notes="Disclosure only in connection with an articulable and significant threat; each disclosure is "
                  "recorded in the student's record as 34 CFR 99.32(a)(5) requires.")
        created = True
    if not DirectoryEntry.objects.filter(school=school).exists():
        principal, agency_admin = county.users["principal"], county.users["agencyadmin"]
        entries = [
            (principal, {"kind": "school", "school": school, "role": "Principal", "name": "Janet Moore",
                         "phone": "(352) 555-0181", "alternate_phone": "(352) 555-1000", "escalation_order": 1}, 12),
            (principal, {"kind": "school", "school": school, "role": "Assistant principal", "name": "Carl Jensen",
                         "phone": "(352) 555-0183", "escalation_order": 2}, 30),
            (principal, {"kind": "school", "school": school, "role": "Facilities manager (after hours)",
                         "name": "Ray Dunn", "phone": "(352) 555-0177", "alternate_phone": "(352) 555-0178",
                         "escalation_order": 3}, 240),
            (agency_admin, {"kind": "agency", "agency": agency, "role": "Watch commander", "name": "Watch commander",
                            "phone": "(352) 555-0155", "escalation_order": 1}, 20),
            (agency_admin, {"kind": "agency", "agency": agency, "role": "SRO unit supervisor",
                            "name": "Sgt. Alicia Booker", "phone": "(352) 555-0157", "escalation_order": 2,
                            "hours": "Mon–Fri 7:00–17:00"}, 45),
            (agency_admin, {"kind": "psap", "agency": agency, "psap_name": "Pine Ridge County 911 Communications",
                            "role": "Shift supervisor", "name": "911 shift supervisor", "phone": "(352) 555-0911",
                            "alternate_phone": "(352) 555-0912", "escalation_order": 1}, 10),
        ]
        for actor, values, verified_days_ago in entries:
            entry = do_create_contact(actor, **values)
            # Ray Dunn's entry was last checked 240 days ago: the directory flags it "not verified since …".
            do_verify_contact(actor, entry, on=today - dt.timedelta(days=verified_days_ago))
        created = True
    return created


def load_demo(county: Any) -> bool:
    created = load_meetings(county)
    return load_agreements(county) or created
