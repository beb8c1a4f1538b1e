"""The SRO program API: referrals, citations and arrests, enrolment, equity aggregates.

The rows follow the pages' rule (sro.policies): a row the caller may not see is 404, and every read of rows,
a list or one, is audited. The aggregates are the dashboard's protected cube (sro.equity): a suppressed
group has `suppressed: true` and no count, enrolment, rate or index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema
from ninja.responses import Status

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import may
from schoolsafe.accounts.http import ApiRequest
from schoolsafe.audit.log import record, record_read
from schoolsafe.core.policies import access_school
from schoolsafe.sro import actions, policies
from schoolsafe.sro.equity import DISTRICT, YEAR, DimensionTable
from schoolsafe.sro.equity_data import load_cube
from schoolsafe.sro.models.referrals import StudentReferral

router = Router(tags=["sro referrals"])

class ReferralIn(Schema):
    school_id: int
    kind: str = Field(..., description="referral, citation or arrest (CRDC)")
    offence: str
    date: str = Field(..., description="YYYY-MM-DD, not in the future")
    grade: str = Field(..., description="PK, KG or 01-12, a grade the school serves")
    race: str
    sex: str
    disability: str = Field(..., description="idea, section_504 or none")
    english_learner: str = Field(..., description="yes or no")
    officer_id: int | None = Field(None, description="the officer who acted, when a supervisor records for them")
    incident_id: int | None = None


class ReferralCorrection(Schema):
    kind: str | None = None
    offence: str | None = None
    date: str | None = None
    grade: str | None = None
    race: str | None = None
    sex: str | None = None
    disability: str | None = None
    english_learner: str | None = None
    incident_id: int | None = None


class ReferralOut(Schema):
    id: int
    school_id: int
    kind: str
    offence: str
    date: dt.date
    school_year: int
    term: str
    grade: str
    race: str
    sex: str
    disability: str
    english_learner: str
    officer: str
    incident_id: int | None
    recorded_at: dt.datetime
    corrected_at: dt.datetime | None

    @staticmethod
    def resolve_officer(obj: StudentReferral) -> str:
        return obj.officer.username


class Recorded(Schema):
    id: int
    detail: str


class EnrollmentIn(Schema):
    school_id: int
    school_year: int
    dimension: str
    group: str
    count: int


class EnrollmentOut(Schema):
    id: int
    school_id: int
    school_year: int
    dimension: str
    group: str
    count: int


class GroupOut(Schema):
    group: str
    label: str
    suppressed: bool
    count: int | None
    enrolled: int | None
    rate_per_1000: float | None
    relative_rate_index: float | None
    reference: bool


class DimensionOut(Schema):
    dimension: str
    label: str
    total: GroupOut
    groups: list[GroupOut]


class EquityOut(Schema):
    place: str
    school_year: int
    term: str
    kind: str
    dimensions: list[DimensionOut]


@router.post("/sro/referrals", response={201: Recorded})
def record_referral(request: ApiRequest, payload: ReferralIn):
    """Record a referral, citation or arrest (an officer or supervisor of an agency serving the school). The
    answer is the row's id only: an officer does not read rows back."""
    data = payload.dict()
    school_id, officer_id = data.pop("school_id"), data.pop("officer_id")
    referral = actions.do_record_referral(request.auth, school_id, officer=officer_id, **data)
    return Status(201, {"id": referral.pk, "detail": "Recorded."})


@router.get("/sro/referrals", response=list[ReferralOut])
def list_referrals(request: ApiRequest, school_id: int | None = None, school_year: int | None = None):
    """The rows the caller may see, newest first (at most 500; audited). 404 for a caller who may see none."""
    if not may(request.auth, "sro.studentreferral", "view"):
        raise NotVisible()
    rows = StudentReferral.objects.restrict(request.auth, "view").select_related("officer")
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    if school_year is not None:
        rows = rows.filter(school_year=school_year)
    shown = list(rows[:500])
    record(request.auth, "sro.read_referral_list", summary={"via": "api", "ids": [r.pk for r in shown]})
    return shown


@router.get("/sro/referrals/{referral_id}", response=ReferralOut)
def get_referral(request: ApiRequest, referral_id: int):
    """One row (audited); 404 unless the caller is a supervisor of an agency serving the school or the
    district's director."""
    referral = policies.access_referral(request.auth, referral_id, "view")
    record_read(request.auth, referral, summary={"via": "api"}, organization=OrgKey.of(referral.school))
    return referral


@router.patch("/sro/referrals/{referral_id}", response=ReferralOut)
def correct_referral(request: ApiRequest, referral_id: int, payload: ReferralCorrection):
    """Correct a row: only the fields given change."""
    changes = payload.dict(exclude_unset=True)
    return actions.do_correct_referral(request.auth, referral_id, **changes)


@router.put("/sro/enrollment", response=EnrollmentOut)
def set_enrollment(request: ApiRequest, payload: EnrollmentIn):
    """Set one group's enrolment at a school for a school year (the district's director)."""
    data = payload.dict()
    return actions.do_set_enrollment(request.auth, data.pop("school_id"), **data)


def _group(row: Any) -> dict[str, Any]:
    return {"group": row.group, "label": row.label, "suppressed": row.suppressed, "count": row.count,
            "enrolled": row.enrolled, "rate_per_1000": row.rate, "relative_rate_index": row.rri,
            "reference": row.reference}


def _equity(place: str, school_year: int, term: str | None, kind: str, tables: list[DimensionTable]) -> dict[str, Any]:
    return {"place": place, "school_year": school_year, "term": term or YEAR, "kind": kind,
            "dimensions": [{"dimension": t.dimension, "label": t.label, "total": _group(t.total),
                            "groups": [_group(r) for r in t.rows]} for t in tables]}


Term = Literal["summer", "fall", "spring"]
KindFilter = Literal["all", "referral", "citation", "arrest"]


@router.get("/sro/equity/schools/{school_id}", response=EquityOut)
def school_equity(request: ApiRequest, school_id: int, school_year: int, term: Term | None = None,
                  kind: KindFilter = "all"):
    """A school's aggregates for a school year (or one term): 404 unless the caller sees the school, 403
    unless they may read its aggregates."""
    school = access_school(request.auth, school_id, "core.school", "sro_equity")
    cube = load_cube(school.district, school_year, kind)
    return _equity(str(OrgKey.of(school)), school_year, term, kind, cube.tables(school.pk, term or YEAR))


@router.get("/sro/equity/districts/{district_id}", response=EquityOut)
def district_equity(request: ApiRequest, district_id: int, school_year: int, term: Term | None = None,
                    kind: KindFilter = "all"):
    """A district's aggregates (its director, or a supervisor or administrator of an agency serving it)."""
    district = policies.access_equity_district(request.auth, district_id)
    cube = load_cube(district, school_year, kind)
    return _equity(str(OrgKey.of(district)), school_year, term, kind, cube.tables(DISTRICT, term or YEAR))
