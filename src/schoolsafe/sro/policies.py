"""Who may read and change the SRO program records."""

from __future__ import annotations

# --- sro equity: referrals, citations and arrests; enrolment by group; the equity dashboard ---
# Student-level rows are education records under FERPA (34 CFR 99.3) once they sit with the district, and
# law-enforcement unit records on the agency's side (34 CFR 99.8): each side sees only what it needs. A row
# is seen by the police supervisors of an agency serving the school (who review their officers' work) and
# by the director of the school's district; nobody else, not the officer who recorded it (an officer
# records and then reads aggregates, so that a row cannot be looked up again to identify a student).
# Everyone who leads those schools reads the aggregates, which never reveal a group under 10 (sro.equity).
from typing import Any  # noqa: E402

from django.db import models as _models  # noqa: E402
from django.db.models import Q as _Q  # noqa: E402

from schoolsafe.access.loaders import NotVisible as _NotVisible  # noqa: E402
from schoolsafe.access.loaders import get_or_404 as _get_or_404  # noqa: E402
from schoolsafe.access.policy import memberships as _memberships  # noqa: E402
from schoolsafe.access.policy import reached_schools as _reached_schools  # noqa: E402
from schoolsafe.access.policy import register as _register  # noqa: E402

REFERRAL_READERS = frozenset({"police_supervisor", "district_director"})
REFERRAL_RECORDERS = frozenset({"officer", "police_supervisor"})
ENROLLMENT_SETTERS = frozenset({"district_director"})
EQUITY_READERS = frozenset({"officer", "police_supervisor", "agency_admin", "district_director", "school_admin"})
DISTRICT_EQUITY_READERS = frozenset({"police_supervisor", "agency_admin", "district_director"})


def restrict_referrals(queryset: _models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> _models.QuerySet:
    """A referral row: the police supervisors of an agency that serves its school, the director of its
    school's district. Spelled out by organization kind rather than by reach, so that a supervisor's role
    never reaches rows through any other membership."""
    from schoolsafe.core.models import School

    agencies = sorted(m.agency_id for m in _memberships(user)
                      if m.role == "police_supervisor" and m.agency_id and "police_supervisor" in roles)
    districts = sorted(m.district_id for m in _memberships(user)
                       if m.role == "district_director" and m.district_id and "district_director" in roles)
    if not agencies and not districts:
        return queryset.none()
    served = School.agencies.through.objects.filter(agency_id__in=agencies).values("school_id")
    return queryset.filter(_Q(school_id__in=served) | _Q(school__district_id__in=districts))


_register("sro.studentreferral", {"view": REFERRAL_READERS, "change": REFERRAL_READERS},
          restrict=restrict_referrals, school_path="school")
_register("sro.enrollmentcount", {"view": ENROLLMENT_SETTERS, "change": ENROLLMENT_SETTERS}, school_path="school")
# School-wide actions (no row of their own): who records a referral at a school, who reads its aggregates.
_register("core.school", {"sro_record_referral": REFERRAL_RECORDERS, "sro_equity": EQUITY_READERS})


def access_referral(user: Any, referral_id: int, action: str = "view") -> Any:
    """One referral row (not audited here: the page or endpoint that shows it records the read)."""
    from schoolsafe.sro.models.referrals import StudentReferral

    return _get_or_404(StudentReferral.objects.select_related("school", "officer"), user, action, pk=referral_id)


def access_enrollment(user: Any, enrollment_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models.referrals import EnrollmentCount

    return _get_or_404(EnrollmentCount.objects.select_related("school"), user, action, pk=enrollment_id)


def equity_schools(user: Any) -> _models.QuerySet:
    """The schools whose aggregates `user` may read."""
    return _reached_schools(user, EQUITY_READERS)


def recording_schools(user: Any) -> _models.QuerySet:
    """The schools where `user` may record a referral: an officer or supervisor of an agency serving it (or
    the officer's school assignment)."""
    return _reached_schools(user, REFERRAL_RECORDERS)


def enrollment_schools(user: Any) -> _models.QuerySet:
    """The schools whose enrolment `user` sets: the district's director."""
    return _reached_schools(user, ENROLLMENT_SETTERS)


def access_equity_district(user: Any, district_id: int) -> Any:
    """The district whose whole dashboard `user` may read: its director, or the supervisors and
    administrators of an agency serving one of its schools. 404 for anyone else."""
    from schoolsafe.core.models import District

    district = District.objects.filter(pk=district_id).first()
    if district is None or not _reached_schools(user, DISTRICT_EQUITY_READERS).filter(district=district).exists():
        raise _NotVisible()
    return district
