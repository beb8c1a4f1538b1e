"""Demo data for plans: Cedar Falls High School's site map, responder packet and approved plan.

Idempotent: each piece is created only when the school does not have it yet. Called by core's demo loader.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


SCHOOL_A = "Cedar Falls High School"
# A plan approved 13 months ago, so the dashboard shows an overdue review.
OVERDUE_SCHOOL = "Cedar Falls Middle School"


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> list[float]:
    """[lon, lat] of the point `north_m` metres north and `east_m` metres east of (lat, lon)."""
    import math

    return [round(lon + east_m / (111_320 * math.cos(math.radians(lat))), 7), round(lat + north_m / 111_320, 7)]


def _box(lat: float, lon: float, north: float, east: float, height: float, width: float) -> list[list[list[float]]]:
    corners = [(north, east), (north, east + width), (north - height, east + width), (north - height, east)]
    ring = [_offset(lat, lon, n, e) for n, e in corners]
    return [[*ring, ring[0]]]


def site_map_for(lat: float, lon: float) -> dict[str, Any]:
    """A plausible high-school campus around (lat, lon): two buildings, doors, rally points, shut-offs."""

    def point(kind: str, north: float, east: float, **props: Any) -> dict[str, Any]:
        return {"type": "Feature", "properties": {"kind": kind, **props},
                "geometry": {"type": "Point", "coordinates": _offset(lat, lon, north, east)}}

    def area(kind: str, north: float, east: float, height: float, width: float, **props: Any) -> dict[str, Any]:
        return {"type": "Feature", "properties": {"kind": kind, **props},
                "geometry": {"type": "Polygon", "coordinates": _box(lat, lon, north, east, height, width)}}

    return {"type": "FeatureCollection", "features": [
        area("building", 40, -60, 80, 120, name="Main building (classrooms, offices)"),
        area("building", 40, 75, 50, 55, name="Gymnasium"),
        point("entrance", -40, 0, name="Main entrance", door="1", notes="Front office buzzer; visitors sign in here"),
        point("entrance", 15, 75, name="Gym lobby entrance", door="4"),
        point("exit", 40, -30, name="North hall exit", door="7"),
        point("exit", 0, 60, name="East hall exit", door="12"),
        area("rally_point", 120, -60, 40, 80, name="North practice field rally point"),
        point("rally_point", -110, 40, name="South parking lot rally point"),
        point("reunification_site", -950, 420, name="Cedar Falls Community Church (reunification)",
              notes="Fellowship hall, 2 Church St"),
        point("staging_area", -75, -90, name="Bus loop staging area (police and fire)"),
        point("utility_shutoff", 38, -58, name="Gas main shut-off", utility="gas", notes="Outside NW corner, yellow valve"),
        point("utility_shutoff", -38, -55, name="Water main valve", utility="water", notes="Meter pit by the flagpole"),
        point("utility_shutoff", 20, 58, name="Main electrical disconnect", utility="electric",
              notes="Electrical room E-101 behind the gym"),
        point("knox_box", -41, 9, name="Knox box at Door 1"),
        point("aed", -30, 5, name="AED: main office"),
        point("aed", 10, 80, name="AED: gym lobby"),
        point("first_aid_kit", -25, -10, name="Nurse's office first-aid and bleeding-control kit"),
        point("camera", -46, -9, name="Camera: main entrance"),
    ]}


def _approve(version: Any, people: dict[str, Any]) -> None:
    from schoolsafe.plans import actions
    from schoolsafe.plans.outline import POLICE_SIGNOFF_ANNEXES

    actions.do_submit_plan(people["principal"], version)
    actions.do_sign_off_plan(people["principal"], version, "school_admin")
    actions.do_sign_off_plan(people["director"], version, "district_director")
    for annex in POLICE_SIGNOFF_ANNEXES:
        actions.do_sign_off_plan(people["agencyadmin"], version, f"police:{annex}")
    actions.do_approve_plan(people["principal"], version)


def load_plans_demo(schools: dict[str, Any]) -> bool:
    """Give the demo's Cedar Falls High a site map, SRP settings, 24/7 contacts and an approved plan.
    Returns True when anything was created."""
    from schoolsafe.accounts.models import User
    from schoolsafe.plans import actions
    from schoolsafe.plans.models import (
        EmergencyContact,
        Plan,
        PlanSignOff,
        PlanVersion,
        ResponderInfo,
        ResponseProtocol,
        SiteMap,
    )
    from schoolsafe.plans.outline import POLICE_SIGNOFF_ANNEXES
    from schoolsafe.plans.srp import DEFAULT_DIRECTIVES, DEFAULT_SHELTER_STRATEGIES

    people = {u.username: u for u in User.objects.filter(username__in=["principal", "director", "agencyadmin", "sro"])}
    if len(people) < 3:
        return False
    created = False
    school = schools[SCHOOL_A]
    if not SiteMap.objects.filter(school=school).exists():
        actions.do_save_site_map(people["principal"], school, site_map_for(school.latitude, school.longitude))
        created = True
    if not ResponseProtocol.objects.filter(school=school).exists():
        actions.do_update_response_protocol(
            people["principal"], school, directives=dict(DEFAULT_DIRECTIVES),
            shelter_strategies={**DEFAULT_SHELTER_STRATEGIES, "hurricane": "Closed by the district; shelter in the gym"},
            evacuation_locations="North practice field\nSouth parking lot\nOff site: Cedar Falls Community Church",
            reunification_locations="Cedar Falls Community Church, 2 Church St\nCedar Falls Middle School gym")
        created = True
    if not EmergencyContact.objects.filter(school=school).exists():
        for name, role, phone, alt, username in [
            ("Janet Moore", "Principal", "(352) 555-0181", "(352) 555-1000", "principal"),
            ("Officer Marcus Reyes", "School resource officer", "(352) 555-0162", "", "sro"),
            ("Ray Dunn", "Head custodian (keys, utilities)", "(352) 555-0177", "(352) 555-0178", ""),
            ("Dr. Renee Castillo", "District safety director", "(352) 555-0190", "", "director"),
            ("Cedar Falls PD dispatch", "24-hour non-emergency line", "(352) 555-0150", "", ""),
        ]:
            actions.do_add_emergency_contact(people["principal"], school, name=name, role=role, phone=phone,
                                             alternate_phone=alt, person=people.get(username))
        created = True
    if not ResponderInfo.objects.filter(school=school).exists():
        actions.do_update_responder_info(people["principal"], school, access_information=(
            "Enter at Door 1 (main entrance). Knox box left of Door 1 holds the master key and gym key. "
            "Front gate code is held by Cedar Falls PD dispatch. Alarm panel inside Door 1, right wall. "
            "Camera monitors in the front office and the SRO office (Room 104)."))
        created = True
    if not Plan.objects.filter(school=school).exists():
        plan = actions.do_create_plan(people["principal"], school)
        version = plan.versions.get(number=1)
        for name, role, org in [("Officer Marcus Reyes", "School resource officer", "Cedar Falls Police Department"),
                                ("Dr. Renee Castillo", "District safety director", "Pine Ridge County Public Schools"),
                                ("Ray Dunn", "Facilities", SCHOOL_A),
                                ("Angela Price, RN", "School nurse", SCHOOL_A)]:
            actions.do_add_team_member(people["principal"], version, name=name, role=role, organization=org)
        _approve(version, people)
        created = True
    other = schools.get(OVERDUE_SCHOOL)
    if other is not None and not Plan.objects.filter(school=other).exists():
        # The middle school's principal account is not in the demo: the district director wrote its plan.
        plan = actions.do_create_plan(people["director"], other)
        version = plan.versions.get(number=1)
        actions.do_submit_plan(people["director"], version)
        actions.do_sign_off_plan(people["director"], version, "district_director")
        # Demo only: the school's own sign-off, recorded as if given on paper by its (absent) principal.
        PlanSignOff.objects.create(version=version, kind="school_admin", signer_name="Harold Kim (on paper)",
                                   organization=OVERDUE_SCHOOL, signed_at=timezone.now())
        for annex in POLICE_SIGNOFF_ANNEXES:
            actions.do_sign_off_plan(people["agencyadmin"], version, f"police:{annex}")
        actions.do_approve_plan(people["director"], version)
        past = timezone.now() - dt.timedelta(days=396)
        PlanVersion.objects.filter(pk=version.pk).update(approved_at=past, created_at=past, submitted_at=past)
        Plan.objects.filter(pk=plan.pk).update(review_due=(past + dt.timedelta(days=365)).date())
        created = True
    return created


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): the schools' emergency operations plans."""
    return load_plans_demo(county.schools)
