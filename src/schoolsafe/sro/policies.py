"""Who may read and change the SRO program records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import NotVisible, get_or_404
from schoolsafe.access.policy import memberships, organizations_of, reached_schools, register

# --- MOU register (models/mou.py) ---------------------------------------------------------------
# An MOU binds an agency and a district: read by the agency's administrators, supervisors and officers, the
# district's director and the administrators of the district's schools that the agency serves; changed by
# the two parties' administrators (the agency administrator and the district safety director).


MOU_READERS = frozenset({"agency_admin", "police_supervisor", "officer", "district_director", "school_admin"})
MOU_EDITORS = frozenset({"agency_admin", "district_director"})


def restrict_mous(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """An agency membership reaches the agency's MOUs, a district membership the district's; a school
    membership the MOUs of the school's district with an agency that serves the school."""
    from schoolsafe.core.models import School

    q = Q(pk__in=[])
    schools: set[int] = set()
    for key in organizations_of(user, roles):
        if key.kind == "agency":
            q |= Q(agency_id=key.id)
        elif key.kind == "district":
            q |= Q(district_id=key.id)
        else:
            schools.add(key.id)
    for district_id, agency_id in School.objects.filter(pk__in=sorted(schools), agencies__isnull=False).values_list(
            "district_id", "agencies"):
        q |= Q(district_id=district_id, agency_id=agency_id)
    return queryset.filter(q)


register("sro.mou", {"view": MOU_READERS, "change": MOU_EDITORS}, restrict=restrict_mous)


def access_mou(user: Any, mou_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import Mou

    return get_or_404(Mou.objects.select_related("agency", "district"), user, action, pk=mou_id)


# --- Assignments, coverage and the activity log (models/program.py) ---------------------------------------


POLICE = frozenset({"agency_admin", "police_supervisor", "officer", "dispatcher"})
POLICE_LEADS = frozenset({"agency_admin", "police_supervisor"})
SCHOOL_LEADS = frozenset({"district_director", "school_admin"})
# Police of the serving agencies, the district's director and the school's administrators see who is posted.
COVERAGE_READERS = POLICE | SCHOOL_LEADS
ACTIVITY_READERS = POLICE_LEADS | {"officer"} | SCHOOL_LEADS


def agencies_where(user: Any, roles: frozenset[str]) -> set[int]:
    """The ids of the agencies where `user` holds one of `roles`."""
    return {key.id for key in organizations_of(user, roles) if key.kind == "agency"}


def restrict_assignments(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Seen by whoever reaches the school with a reader's role; changed only by the leads of the assignment's
    own agency (a sheriff's sergeant does not move the city's officers)."""
    if action == "view":
        return queryset.filter(school__in=reached_schools(user, roles).values("pk"))
    return queryset.filter(agency_id__in=sorted(agencies_where(user, roles)))


def restrict_blocks(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    if action == "view":
        return queryset.filter(assignment__school__in=reached_schools(user, roles).values("pk"))
    return queryset.filter(assignment__agency_id__in=sorted(agencies_where(user, roles)))


def restrict_reviews(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A month's review belongs to the officer's agency: its leads see it, the officer sees their own."""
    own = models.Q(officer=user) if action == "view" and "officer" in roles else models.Q(pk__in=[])
    return queryset.filter(own | models.Q(agency_id__in=sorted(agencies_where(user, roles - {"officer"}))))


register("sro.assignment", {"view": COVERAGE_READERS, "change": POLICE_LEADS}, school_path="school",
         restrict=restrict_assignments)
register("sro.scheduleblock", {"view": COVERAGE_READERS, "change": POLICE_LEADS}, school_path="assignment__school",
         restrict=restrict_blocks)
register("sro.instructionhours", {"view": COVERAGE_READERS, "change": SCHOOL_LEADS}, school_path="school")
# An officer logs their own activity at a school they reach as an officer (the action checks "own").
register("sro.activityentry", {"view": ACTIVITY_READERS, "log": frozenset({"officer"})}, school_path="school")
register("sro.activityreview", {"view": POLICE_LEADS | {"officer"}, "review": frozenset({"police_supervisor"})},
         restrict=restrict_reviews)
# The coverage board and map: a page about the schools one reaches, not one model's rows.
register("core.school", {"sro_coverage": COVERAGE_READERS})


def access_assignment(user: Any, assignment_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import Assignment

    return get_or_404(Assignment.objects.select_related("school", "agency", "person", "supervisor"), user, action,
                      pk=assignment_id)


def access_activity_entry(user: Any, entry_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import ActivityEntry

    return get_or_404(ActivityEntry.objects.select_related("school", "officer"), user, action, pk=entry_id)


def access_officer(user: Any, officer_id: int) -> Any:
    """An officer whose activity report `user` may read: themselves, an officer of an agency where `user` is a
    lead, or one with assignments or entries `user` sees. Anyone else is a 404, like an unknown id."""
    from schoolsafe.access.loaders import NotVisible
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.sro.models import ActivityEntry, Assignment

    officer = User.objects.filter(pk=officer_id, is_active=True).first()
    if officer is None or not getattr(user, "is_authenticated", False):
        raise NotVisible()
    if officer.pk == user.pk:
        return officer
    leads = agencies_where(user, POLICE_LEADS)
    if leads and Membership.objects.filter(user=officer, role="officer", agency_id__in=sorted(leads)).exists():
        return officer
    if (ActivityEntry.objects.restrict(user, "view").filter(officer=officer).exists()
            or Assignment.objects.restrict(user, "view").filter(person=officer).exists()):
        return officer
    raise NotVisible()


# --- sro equity: referrals, citations and arrests; enrolment by group; the equity dashboard ---
# Student-level rows are education records under FERPA (34 CFR 99.3) once they sit with the district, and
# law-enforcement unit records on the agency's side (34 CFR 99.8): each side sees only what it needs. A row
# is seen by the police supervisors of an agency serving the school (who review their officers' work) and
# by the director of the school's district; nobody else, not the officer who recorded it (an officer
# records and then reads aggregates, so that a row cannot be looked up again to identify a student).
# Everyone who leads those schools reads the aggregates, which never reveal a group under 10 (sro.equity).


REFERRAL_READERS = frozenset({"police_supervisor", "district_director"})
REFERRAL_RECORDERS = frozenset({"officer", "police_supervisor"})
ENROLLMENT_SETTERS = frozenset({"district_director"})
EQUITY_READERS = frozenset({"officer", "police_supervisor", "agency_admin", "district_director", "school_admin"})
DISTRICT_EQUITY_READERS = frozenset({"police_supervisor", "agency_admin", "district_director"})


def restrict_referrals(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A referral row: the police supervisors of an agency that serves its school, the director of its
    school's district. Spelled out by organization kind rather than by reach, so that a supervisor's role
    never reaches rows through any other membership."""
    from schoolsafe.core.models import School

    agencies = sorted(m.agency_id for m in memberships(user)
                      if m.role == "police_supervisor" and m.agency_id and "police_supervisor" in roles)
    districts = sorted(m.district_id for m in memberships(user)
                       if m.role == "district_director" and m.district_id and "district_director" in roles)
    if not agencies and not districts:
        return queryset.none()
    served = School.agencies.through.objects.filter(agency_id__in=agencies).values("school_id")
    return queryset.filter(Q(school_id__in=served) | Q(school__district_id__in=districts))


register("sro.studentreferral", {"view": REFERRAL_READERS, "change": REFERRAL_READERS},
          restrict=restrict_referrals, school_path="school")
register("sro.enrollmentcount", {"view": ENROLLMENT_SETTERS, "change": ENROLLMENT_SETTERS}, school_path="school")
# School-wide actions (no row of their own): who records a referral at a school, who reads its aggregates.
register("core.school", {"sro_record_referral": REFERRAL_RECORDERS, "sro_equity": EQUITY_READERS})


def access_referral(user: Any, referral_id: int, action: str = "view") -> Any:
    """One referral row (not audited here: the page or endpoint that shows it records the read)."""
    from schoolsafe.sro.models.referrals import StudentReferral

    return get_or_404(StudentReferral.objects.select_related("school", "officer"), user, action, pk=referral_id)


def access_enrollment(user: Any, enrollment_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models.referrals import EnrollmentCount

    return get_or_404(EnrollmentCount.objects.select_related("school"), user, action, pk=enrollment_id)


def equity_schools(user: Any) -> models.QuerySet:
    """The schools whose aggregates `user` may read."""
    return reached_schools(user, EQUITY_READERS)


def recording_schools(user: Any) -> models.QuerySet:
    """The schools where `user` may record a referral: an officer or supervisor of an agency serving it (or
    the officer's school assignment)."""
    return reached_schools(user, REFERRAL_RECORDERS)


def enrollment_schools(user: Any) -> models.QuerySet:
    """The schools whose enrolment `user` sets: the district's director."""
    return reached_schools(user, ENROLLMENT_SETTERS)


def access_equity_district(user: Any, district_id: int) -> Any:
    """The district whose whole dashboard `user` may read: its director, or the supervisors and
    administrators of an agency serving one of its schools. 404 for anyone else."""
    from schoolsafe.core.models import District

    district = District.objects.filter(pk=district_id).first()
    if district is None or not reached_schools(user, DISTRICT_EQUITY_READERS).filter(district=district).exists():
        raise NotVisible()
    return district
