"""The equity cube of a district's school year, read from the database (the computation is sro.equity)."""

from __future__ import annotations

from typing import Any

from schoolsafe.sro.equity import Cube, Referral, compute
from schoolsafe.sro.models.referrals import DIMENSIONS, EnrollmentCount, StudentReferral

KIND_FILTERS = {
    "all": "All referrals to law enforcement (citations and arrests included, as the CRDC counts them)",
    "citation": "Citations and tickets",
    "arrest": "School-related arrests",
}


def school_ids(district: Any) -> list[int]:
    from schoolsafe.core.models import School

    return list(School.objects.filter(district=district).order_by("pk").values_list("pk", flat=True))


def load_cube(district: Any, school_year: int, kind: str = "all") -> Cube:
    """Every school of the district goes into the cube, whoever asks: the suppression must not depend on who
    looks (sro.equity)."""
    schools = school_ids(district)
    rows = StudentReferral.objects.filter(school_id__in=schools, school_year=school_year)
    if kind != "all":
        rows = rows.filter(kind=kind)
    referrals = [Referral(r["school_id"], r["term"], {d: r[d] for d in DIMENSIONS})
                 for r in rows.values("school_id", "term", *DIMENSIONS)]
    enrollment = {(e["school_id"], e["dimension"], e["group"]): e["count"]
                  for e in EnrollmentCount.objects.filter(school_id__in=schools, school_year=school_year)
                  .values("school_id", "dimension", "group", "count")}
    return compute(schools, referrals, enrollment)


def years_of(district: Any) -> list[int]:
    """The school years the district has enrolment for, newest first."""
    return sorted(set(EnrollmentCount.objects.filter(school__district=district)
                      .values_list("school_year", flat=True)), reverse=True)
