"""The SRO program API: assignments, coverage, activity.

Every refusal is `{"detail": "field: message"}` with a 4xx (the actions' ActionError); a record the caller may
not see is a 404, one they see but may not change a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.policy import may
from schoolsafe.accounts.http import ApiRequest
from schoolsafe.sro import actions
from schoolsafe.sro.activity import month_bounds, month_report, parse_month
from schoolsafe.sro.coverage import load_week, week_start
from schoolsafe.sro.models import ActivityEntry, ActivityReview, Assignment
from schoolsafe.sro.policies import access_assignment, access_officer

router = Router(tags=["sro"])


class BlockIO(Schema):
    weekday: int
    starts: dt.time
    ends: dt.time


class AssignmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    school_id: int
    school_name: str
    agency_id: int
    start_date: dt.date
    end_date: dt.date | None
    role: str
    supervisor_id: int | None
    schedule: list[BlockIO]


class AssignmentIn(Schema):
    person: int
    kind: str = "sro"
    school: int
    agency: int
    start_date: dt.date
    end_date: dt.date | None = None
    role: str = "primary"
    supervisor: int | None = None
    schedule: list[BlockIO] = []


class AssignmentChange(Schema):
    kind: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    role: str | None = None
    supervisor: int | None = None
    schedule: list[BlockIO] | None = None


class EndIn(Schema):
    end_date: dt.date | None = None


def _out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk, person_id=a.person_id, person_name=a.person.full_name or a.person.username, kind=a.kind,
        school_id=a.school_id, school_name=a.school.name, agency_id=a.agency_id, start_date=a.start_date,
        end_date=a.end_date, role=a.role, supervisor_id=a.supervisor_id,
        schedule=[BlockIO(weekday=b.weekday, starts=b.starts, ends=b.ends) for b in a.blocks.all()])


def _blocks(blocks: list[BlockIO]) -> list[dict[str, Any]]:
    return [b.dict() for b in blocks]


@router.get("/sro/assignments", response=list[AssignmentOut], summary="List the assignments at the schools one reaches")
def list_assignments(request: ApiRequest, school: int | None = None, current: bool = True) -> list[AssignmentOut]:
    if not may(request.auth, "sro.assignment", "view"):
        raise NotVisible()
    rows = (Assignment.objects.restrict(request.auth, "view").select_related("person", "school")
            .prefetch_related("blocks"))
    if school is not None:
        rows = rows.filter(school_id=school)
    if current:
        rows = rows.exclude(end_date__lt=timezone.localdate())
    return [_out(a) for a in rows]


@router.post("/sro/assignments", response={201: AssignmentOut}, summary="Post a person to a school")
def create_assignment(request: ApiRequest, payload: AssignmentIn) -> Status:
    if not may(request.auth, "sro.assignment", "change"):
        raise HttpError(403, "You may not post people to schools.")
    data = payload.dict()
    data["schedule"] = _blocks(payload.schedule)
    assignment = actions.do_create_assignment(request.auth, **data)
    return Status(201, _out(access_assignment(request.auth, assignment.pk)))


@router.get("/sro/assignments/{assignment_id}", response=AssignmentOut, summary="One assignment")
def get_assignment(request: ApiRequest, assignment_id: int) -> AssignmentOut:
    return _out(access_assignment(request.auth, assignment_id))


@router.patch("/sro/assignments/{assignment_id}", response=AssignmentOut,
              summary="Change an assignment's type, dates, role, supervisor or schedule")
def change_assignment(request: ApiRequest, assignment_id: int, payload: AssignmentChange) -> AssignmentOut:
    assignment = access_assignment(request.auth, assignment_id, "change")
    changes = payload.dict(exclude_unset=True)
    if payload.schedule is not None:
        changes["schedule"] = _blocks(payload.schedule)
    actions.do_change_assignment(request.auth, assignment, **changes)
    return _out(access_assignment(request.auth, assignment_id))


@router.post("/sro/assignments/{assignment_id}/end", response=AssignmentOut, summary="End an assignment")
def end_assignment(request: ApiRequest, assignment_id: int, payload: EndIn) -> AssignmentOut:
    assignment = access_assignment(request.auth, assignment_id, "change")
    actions.do_end_assignment(request.auth, assignment, payload.end_date)
    return _out(access_assignment(request.auth, assignment_id))


class CellOut(Schema):
    school_id: int
    weekday: int
    people: list[str]


class GapOut(Schema):
    kind: str
    reason: str
    school_ids: list[int]
    weekday: int | None


class CoverageSchool(Schema):
    id: int
    name: str
    status: str


class CoverageOut(Schema):
    week: dt.date
    schools: list[CoverageSchool]
    cells: list[CellOut]
    gaps: list[GapOut]


@router.get("/sro/coverage", response=CoverageOut, summary="Who covers which school and hour in a week, and the gaps")
def coverage(request: ApiRequest, week: dt.date | None = None) -> CoverageOut:
    """`week`: any day of the week (YYYY-MM-DD); this week by default. Each gap has its reason in words."""
    if not may(request.auth, "core.school", "sro_coverage"):
        raise NotVisible()
    result = load_week(request.auth, week_start(week or timezone.localdate()))
    return CoverageOut(
        week=result.week,
        schools=[CoverageSchool(id=s.id, name=s.name, status=result.status(s.id)) for s in result.schools],
        cells=[CellOut(school_id=sid, weekday=day, people=[f"{e.person_name} {e.hours}" for e in entries])
               for (sid, day), entries in sorted(result.cells.items())],
        gaps=[GapOut(kind=g.kind, reason=g.reason, school_ids=list(g.school_ids), weekday=g.weekday)
              for g in result.gaps])


class EntryOut(Schema):
    id: int
    officer_id: int
    school_id: int
    occurred_at: dt.datetime
    role: str
    kind: str
    minutes: int
    students_reached: int
    note: str


class EntryIn(Schema):
    school: int
    kind: str
    students_reached: int = 0
    minutes: int | None = None
    occurred_at: dt.datetime | None = None
    note: str = ""


def _entry(e: ActivityEntry) -> EntryOut:
    return EntryOut(id=e.pk, officer_id=e.officer_id, school_id=e.school_id, occurred_at=e.occurred_at, role=e.role,
                    kind=e.kind, minutes=e.minutes, students_reached=e.students_reached, note=e.note)


def _month(month: str) -> dt.date:
    try:
        return parse_month(month)
    except ValueError:
        raise HttpError(422, f"month: {month!r} is not a month (YYYY-MM)") from None


@router.get("/sro/activity", response=list[EntryOut], summary="List activity entries one may see")
def list_activity(request: ApiRequest, officer: int | None = None, school: int | None = None,
                  month: str | None = None) -> list[EntryOut]:
    if not may(request.auth, "sro.activityentry", "view"):
        raise NotVisible()
    rows = ActivityEntry.objects.restrict(request.auth, "view")
    if officer is not None:
        rows = rows.filter(officer_id=officer)
    if school is not None:
        rows = rows.filter(school_id=school)
    if month:
        start, end = month_bounds(_month(month))
        rows = rows.filter(occurred_at__gte=start, occurred_at__lt=end)
    return [_entry(e) for e in rows.order_by("occurred_at", "pk")[:2000]]


@router.post("/sro/activity", response={201: EntryOut}, summary="Log one's own activity at a school")
def log_activity(request: ApiRequest, payload: EntryIn) -> Status:
    if not may(request.auth, "sro.activityentry", "log"):
        raise HttpError(403, "Only officers log activity.")
    entry = actions.do_log_activity(request.auth, **payload.dict())
    return Status(201, _entry(entry))


class RoleOut(Schema):
    role: str
    label: str
    entries: int
    minutes: int
    students: int
    minutes_pct: int
    entries_pct: int


class ReviewOut(Schema):
    month: str
    reviewer: str
    comment: str
    reviewed_at: dt.datetime


class ReportOut(Schema):
    officer_id: int
    month: str
    total_entries: int
    total_minutes: int
    total_students: int
    roles: list[RoleOut]
    entries: list[EntryOut]
    review: ReviewOut | None


def _review(review: ActivityReview) -> ReviewOut:
    return ReviewOut(month=f"{review.month:%Y-%m}", reviewer=review.reviewer.username, comment=review.comment,
                     reviewed_at=review.reviewed_at)


@router.get("/sro/activity/officers/{officer_id}/{month}", response=ReportOut,
            summary="An officer's monthly report: totals, the triad mix, the entries and the review")
def officer_report(request: ApiRequest, officer_id: int, month: str) -> ReportOut:
    officer = access_officer(request.auth, officer_id)
    first = _month(month)
    report = month_report(request.auth, first, officer=officer)
    review = ActivityReview.objects.restrict(request.auth, "view").filter(officer=officer, month=first).first()
    return ReportOut(officer_id=officer.pk, month=f"{first:%Y-%m}", total_entries=report.total_entries,
                     total_minutes=report.total_minutes, total_students=report.total_students,
                     roles=[RoleOut(**vars(r)) for r in report.roles], entries=[_entry(e) for e in report.entries],
                     review=_review(review) if review else None)


class ReviewIn(Schema):
    comment: str


@router.post("/sro/activity/officers/{officer_id}/{month}/review", response={201: ReviewOut},
             summary="Mark an officer's month reviewed (once; a second review is a 409)")
def review_month(request: ApiRequest, officer_id: int, month: str, payload: ReviewIn) -> Status:
    officer = access_officer(request.auth, officer_id)
    review = actions.do_review_activity_month(request.auth, officer, _month(month), payload.comment)
    return Status(201, _review(review))

