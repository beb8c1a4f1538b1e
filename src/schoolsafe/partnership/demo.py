"""The partnership demo data."""

from __future__ import annotations

from typing import Any


def load_meetings(county: Any) -> bool:
    """A joint meeting with two open action items."""
    return False


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
