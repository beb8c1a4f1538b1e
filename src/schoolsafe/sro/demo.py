"""The SRO program's demo data for the demo county."""

from __future__ import annotations

from typing import Any

# --- Assignments and a term of activity (models/program.py) ------------------------------------------------

CF_HIGH, CF_MIDDLE, LAKEVIEW, PR_HIGH = ("Cedar Falls High School", "Cedar Falls Middle School",
                                         "Lakeview Elementary School", "Pine Ridge High School")
CITY_PD, SHERIFF = "Cedar Falls Police Department", "Pine Ridge County Sheriff's Office"


def school_year_start(today: Any) -> Any:
    """The first school day of the school year holding `today` (the second Monday of August)."""
    import datetime as dt

    year = today.year if today.month >= 8 else today.year - 1
    first = dt.date(year, 8, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7)


# username, school, agency, role, supervisor, [(weekday, "HH:MM", "HH:MM")]
POSTINGS = [
    # The city's SRO, every school day.
    ("sro", CF_HIGH, CITY_PD, "primary", "supervisor",
     [(d, "07:00", "15:00") for d in range(5)]),
    # The deputy is at Pine Ridge High Monday to Thursday: Friday's classes are uncovered (a gap).
    ("deputy", PR_HIGH, SHERIFF, "primary", None, [(d, "07:00", "15:00") for d in range(4)]),
    # The relief officer relieves at Cedar Falls Middle on Tuesdays and Thursdays ...
    ("relief", CF_MIDDLE, CITY_PD, "relief", "supervisor", [(1, "07:30", "14:30"), (3, "07:30", "14:30")]),
    # ... and was also put down for Lakeview's Tuesday assembly: the same morning (a double assignment).
    ("relief", LAKEVIEW, CITY_PD, "relief", "supervisor", [(1, "08:00", "10:00")]),
]

# A week of each officer's activity: (weekday, "HH:MM", kind, students reached).
WEEKS = {
    "sro": [[(0, "09:00", "class", 28), (1, "11:30", "patrol", 0), (2, "12:15", "mentoring", 1),
             (3, "13:00", "parent_meeting", 1), (4, "10:00", "call_for_service", 0)],
            [(0, "08:30", "presentation", 120), (1, "12:00", "student_contact", 3), (2, "10:00", "patrol", 0),
             (3, "12:30", "mentoring", 2), (4, "09:15", "class", 31)],
            [(0, "10:30", "mentoring", 1), (2, "09:00", "class", 26), (3, "13:30", "incident", 2),
             (4, "12:00", "student_contact", 4)]],
    "deputy": [[(0, "07:45", "patrol", 0), (1, "10:00", "call_for_service", 0), (2, "12:00", "mentoring", 1),
                (3, "09:30", "incident", 3)],
               [(0, "08:00", "patrol", 0), (1, "09:00", "class", 24), (3, "11:00", "call_for_service", 0)],
               [(0, "07:45", "patrol", 0), (2, "12:30", "student_contact", 2), (3, "10:00", "patrol", 0)]],
    "relief": [[(1, "09:00", "patrol", 0), (3, "11:45", "mentoring", 1)],
               [(1, "10:30", "presentation", 85), (3, "09:00", "student_contact", 2)]],
}
SCHOOL_OF = {"sro": CF_HIGH, "deputy": PR_HIGH, "relief": CF_MIDDLE}


def load_program(county: Any) -> bool:
    """Three officers' assignments (a Friday gap at Pine Ridge High, the relief officer posted twice one Tuesday
    morning) and their activity from the start of the school year to today (Aug–Dec), the same on every run."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from schoolsafe.accounts.models import Membership
    from schoolsafe.sro.models import ACTIVITY_KINDS, ActivityEntry, Assignment, ScheduleBlock

    users, schools, agencies = county.users, county.schools, county.agencies
    if not all(u in users for u in ("sro", "deputy", "relief", "supervisor")):
        return False
    today = timezone.localdate()
    start = school_year_start(today)
    created = False
    with transaction.atomic():
        for username, school, agency, role, supervisor, blocks in POSTINGS:
            assignment, made = Assignment.objects.get_or_create(
                person=users[username], school=schools[school], agency=agencies[agency], kind="sro",
                start_date=start, defaults={"role": role, "supervisor": users.get(supervisor) if supervisor else None})
            if not made:
                continue
            created = True
            ScheduleBlock.objects.bulk_create([
                ScheduleBlock(assignment=assignment, weekday=d, starts=dt.time.fromisoformat(s),
                              ends=dt.time.fromisoformat(e)) for d, s, e in blocks])
            # What do_create_assignment does: the SRO's access to the school comes with the posting.
            _, granted = Membership.objects.get_or_create(user=users[username], role="officer",
                                                          school=schools[school])
            if granted:
                assignment.granted_membership = True
                assignment.save(update_fields=["granted_membership"])
        zone = timezone.get_current_timezone()
        end = min(today, dt.date(start.year, 12, 18))
        rows = []
        for username, weeks in WEEKS.items():
            officer = users[username]
            if ActivityEntry.objects.filter(officer=officer).exists():
                continue
            monday, n = start, 0
            while monday <= end:
                for weekday, at, kind, students in weeks[n % len(weeks)]:
                    day = monday + dt.timedelta(days=weekday)
                    if day > end:
                        continue
                    role, _label, minutes = ACTIVITY_KINDS[kind]
                    rows.append(ActivityEntry(
                        officer=officer, school=schools[SCHOOL_OF[username]], role=str(role), kind=kind,
                        minutes=minutes, students_reached=students,
                        occurred_at=dt.datetime.combine(day, dt.time.fromisoformat(at), zone)))
                monday, n = monday + dt.timedelta(days=7), n + 1
        if rows:
            ActivityEntry.objects.bulk_create(rows)
            created = True
    return created


def load_mou(county: Any) -> bool:
    """The MOU between the city police and the district: signed by both sides, its review date 20 days away,
    so the register shows it "due for review"."""
    import datetime as dt

    from django.utils import timezone

    from schoolsafe.sro.actions import do_add_signatory, do_create_mou, do_mark_mou_signed
    from schoolsafe.sro.models import Mou

    agency = county.agencies["Cedar Falls Police Department"]
    if Mou.objects.filter(agency=agency, district=county.district).exists():
        return False
    today = timezone.localdate()
    actor = county.users["agencyadmin"]
    mou = do_create_mou(actor, agency=agency, district=county.district,
                        title="School Resource Officer Program MOU: Cedar Falls Police Department and Pine Ridge "
                              "County Public Schools",
                        effective_date=today - dt.timedelta(days=700), expiry_date=today + dt.timedelta(days=395),
                        review_date=today + dt.timedelta(days=20))
    do_add_signatory(actor, mou, name="Chief Daniel Ortiz", title="Chief of Police", side="agency",
                     signed_on=today - dt.timedelta(days=705))
    do_add_signatory(actor, mou, name="Dr. Renee Castillo", title="District safety director", side="district",
                     signed_on=today - dt.timedelta(days=703))
    do_mark_mou_signed(actor, mou)
    return True


def load_referrals(county: Any) -> bool:
    """Enrolment by group and enough referrals for the equity dashboard."""
    from schoolsafe.sro.demo_referrals import load

    return load(county)


def load_demo(county: Any) -> bool:
    created = load_program(county)
    created = load_mou(county) or created
    return load_referrals(county) or created
