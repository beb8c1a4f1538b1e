"""Demo data: a fictional but plausible county, its police, its schools and one login per role (the people
and their memberships are this app's; every other app adds its part through its demo loader, docs/developing.md).

Deterministic and idempotent: every object is found by a stable key before it is created, so a
second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from schoolsafe.accounts.models import Membership, User
from schoolsafe.core.models import Agency, District, InstanceSetting, School

DEMO_PASSWORD = "schoolsafe-demo"  # nosec B105: published demo credentials, demo data only
DEMO_MARKER = "demo_data"

SHERIFF = "Pine Ridge County Sheriff's Office"
CITY_PD = "Cedar Falls Police Department"
DISTRICT = "Pine Ridge County Public Schools"

# name, level, grades, enrollment, latitude, longitude, address, serving agency
SCHOOLS = [
    ("Cedar Falls High School", "high", ("09", "12"), 1840, 28.9021, -81.8712, "1200 Falcon Way", CITY_PD),
    ("Cedar Falls Middle School", "middle", ("06", "08"), 910, 28.8934, -81.8801, "450 Osprey Rd", CITY_PD),
    ("Lakeview Elementary School", "elementary", ("KG", "05"), 540, 28.9102, -81.8655, "77 Lakeview Dr", CITY_PD),
    ("Magnolia Elementary School", "elementary", ("KG", "05"), 610, 28.8867, -81.8590, "310 Magnolia Ave", CITY_PD),
    ("Riverside Elementary School", "elementary", ("PK", "05"), 480, 28.8978, -81.8923, "5 River Bend Rd", CITY_PD),
    ("Pine Ridge High School", "high", ("09", "12"), 1520, 28.8312, -81.9544, "9000 County Road 44", SHERIFF),
    ("Pine Ridge Middle School", "middle", ("06", "08"), 780, 28.8255, -81.9610, "8800 County Road 44", SHERIFF),
    ("Sawgrass Middle School", "middle", ("06", "08"), 690, 28.9603, -81.9982, "1400 Sawgrass Pkwy", SHERIFF),
    ("Heron Creek Elementary School", "elementary", ("KG", "05"), 420, 28.9688, -82.0105, "21 Heron Creek Ln", SHERIFF),
    ("Live Oak Elementary School", "elementary", ("KG", "05"), 390, 28.7921, -81.9277, "600 Live Oak Trl", SHERIFF),
    ("Cypress Hollow Elementary School", "elementary", ("PK", "05"), 350, 28.8480, -82.0301, "18 Cypress Hollow Rd", SHERIFF),
    ("Bayou Bend K-8 School", "other", ("KG", "08"), 720, 28.7705, -81.9850, "3300 Bayou Bend Blvd", SHERIFF),
]

SCHOOL_A = "Cedar Falls High School"
SCHOOL_B = "Pine Ridge High School"

# username, full name, title, room, [(role, kind, organization name)]
PEOPLE = [
    ("dispatcher", "Dana Whitfield", "Dispatcher", "", [("dispatcher", "agency", CITY_PD)]),
    ("sro", "Officer Marcus Reyes", "School resource officer", "Room 104 (SRO office)",
     [("officer", "agency", CITY_PD), ("officer", "school", SCHOOL_A)]),
    ("supervisor", "Sgt. Alicia Booker", "Police supervisor", "", [("police_supervisor", "agency", CITY_PD)]),
    ("agencyadmin", "Lt. Grant Holloway", "Agency administrator", "", [("agency_admin", "agency", CITY_PD)]),
    ("deputy", "Deputy Sam Okafor", "School resource officer", "",
     [("officer", "agency", SHERIFF), ("officer", "school", SCHOOL_B)]),
    ("director", "Dr. Renee Castillo", "District safety director", "", [("district_director", "district", DISTRICT)]),
    ("principal", "Janet Moore", "Principal", "Main office", [("school_admin", "school", SCHOOL_A)]),
    ("teacher", "Tom Alvarez", "Science teacher", "Room 212", [("staff", "school", SCHOOL_A)]),
    ("teacher_b", "Priya Nair", "English teacher", "Room 118", [("staff", "school", SCHOOL_B)]),
    ("counselor", "Dr. Lena Fischer", "School psychologist", "Counseling office",
     [("staff", "school", SCHOOL_A), ("ta_member", "school", SCHOOL_A)]),
    ("analyst", "Chris Delgado", "Tip analyst", "", [("tip_analyst", "district", DISTRICT)]),
    ("coordinator", "Monica Tran", "Program coordinator", "", [("program_coordinator", "district", DISTRICT)]),
    ("liaison", "Officer Beth Carver", "Community liaison", "", [("community_liaison", "agency", CITY_PD)]),
    # The SRO program's relief officer (sro/demo.py posts him at Cedar Falls Middle on some days).
    ("relief", "Officer Daniel Pruitt", "Relief school resource officer", "", [("officer", "agency", CITY_PD)]),
]

DEMO_LOGINS = [
    ("dispatcher", "police dispatcher, Cedar Falls PD (serves Cedar Falls High)"),
    ("sro", "school resource officer at Cedar Falls High"),
    ("supervisor", "police supervisor, Cedar Falls PD"),
    ("agencyadmin", "agency administrator, Cedar Falls PD"),
    ("deputy", "sheriff's deputy, SRO at Pine Ridge High"),
    ("director", "district safety director, Pine Ridge County Public Schools"),
    ("principal", "principal of Cedar Falls High"),
    ("teacher", "teacher at Cedar Falls High (room 212)"),
    ("teacher_b", "teacher at Pine Ridge High (another school)"),
    ("counselor", "school psychologist, threat-assessment team at Cedar Falls High"),
    ("analyst", "tip analyst for the district"),
    ("coordinator", "program coordinator for the district"),
    ("liaison", "community liaison, Cedar Falls PD"),
    ("relief", "relief SRO, Cedar Falls PD (Cedar Falls Middle on some days)"),
    ("admin", "platform administrator (Django admin)"),
]


@dataclass
class DemoCounty:
    """The demo county as the apps' demo loaders receive it (one signature: `load(county) -> bool`)."""

    district: Any
    agencies: dict[str, Any]
    schools: dict[str, Any]
    users: dict[str, Any]
    # The usernames printed by `schoolsafe demo`, each with a description.
    logins: list[str] = field(default_factory=list)
    school_a: str = SCHOOL_A
    school_b: str = SCHOOL_B


def is_demo_database() -> bool:
    return InstanceSetting.objects.filter(key=DEMO_MARKER, value="1").exists()


@transaction.atomic
def load_demo() -> bool:
    """Load the demo county. Returns True when anything was created."""
    created_any = False

    def get_or_create(model, defaults=None, **lookup):
        nonlocal created_any
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        created_any |= created
        return obj

    agencies = {
        SHERIFF: get_or_create(Agency, name=SHERIFF, defaults={
            "phone": "(352) 555-0100", "address": "2 Courthouse Sq", "city": "Pine Ridge",
            "county": "Pine Ridge", "state": "FL", "latitude": 28.8402, "longitude": -81.9433}),
        CITY_PD: get_or_create(Agency, name=CITY_PD, defaults={
            "phone": "(352) 555-0150", "address": "100 Main St", "city": "Cedar Falls",
            "county": "Pine Ridge", "state": "FL", "latitude": 28.8995, "longitude": -81.8750}),
    }
    district = get_or_create(District, name=DISTRICT, defaults={"state": "FL", "county": "Pine Ridge"})
    schools: dict[str, School] = {}
    for name, level, (low, high), enrollment, lat, lon, address, agency in SCHOOLS:
        school = get_or_create(School, name=name, district=district, defaults={
            "level": level, "low_grade": low, "high_grade": high, "enrollment": enrollment,
            "latitude": lat, "longitude": lon, "address": address,
            "city": "Cedar Falls" if agency == CITY_PD else "Pine Ridge", "state": "FL",
            "county": "Pine Ridge", "phone": f"(352) 555-{1000 + len(schools) * 11:04d}",
        })
        if not school.agencies.filter(pk=agencies[agency].pk).exists():
            school.agencies.add(agencies[agency])
            created_any = True
        schools[name] = school
    # The sheriff's office backs up the city police at the city's high school.
    if not schools[SCHOOL_A].agencies.filter(pk=agencies[SHERIFF].pk).exists():
        schools[SCHOOL_A].agencies.add(agencies[SHERIFF])

    # One hash of the published demo password for every demo login (each Argon2 hash takes a noticeable
    # fraction of a second, and there are over a dozen logins).
    demo_hash = make_password(DEMO_PASSWORD)
    orgs = {"agency": agencies, "district": {DISTRICT: district}, "school": schools}
    for username, full_name, title, room, grants in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, title=title, room=room,
                        email=f"{username}@demo.schoolsafe.invalid")
            user.password = demo_hash
            user.save()
            created_any = True
        for role, kind, org_name in grants:
            get_or_create(Membership, user=user, role=role, **{kind: orgs[kind][org_name]})
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@demo.schoolsafe.invalid", DEMO_PASSWORD,
                                      full_name="Platform Administrator")
        created_any = True
    get_or_create(InstanceSetting, key=DEMO_MARKER, defaults={"value": "1"})
    from schoolsafe.registry import demo_loaders

    users = {user.username: user for user in User.objects.filter(username__in=[u for u, _ in DEMO_LOGINS])}
    county = DemoCounty(district=district, agencies=agencies, schools=schools, users=users,
                        logins=[u for u, _ in DEMO_LOGINS])
    # Each registered app adds its part, in the order the apps declare (schoolsafe.registry).
    for load in demo_loaders():
        created_any |= load(county)
    return created_any
