"""API for threat-assessment cases and their CSTAG decisions, through the need-to-know policy.

A case the caller may not see is 404 (it does not exist for them); every read of a case, a note or an
export is audited, as on the pages. A referral answers 201 without the case: the referrer does not see it.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.threats import actions, policies, reads, steps
from schoolsafe.threats.models import Case, Decision

router = Router(tags=["threat assessment"])


class CaseSummaryOut(Schema):
    id: int
    number: str
    team_id: int
    school_id: int | None
    source: str
    stage: str
    classification: str
    person_name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class CaseOut(CaseSummaryOut):
    tip_reference: str
    person_kind: str
    person_grade: str
    person_details: str
    reporter_name: str
    reporter_contact: str
    occurred_at: dt.datetime
    how_received: str
    behaviour: str
    mode: str
    targets: str
    witnesses: str
    context: str
    classified_at: dt.datetime | None
    resolution: str
    closure_outcome: str
    closure_reason: str


class DecisionOut(Schema):
    id: int
    step: str
    outcome: str
    rationale: str
    details: dict[str, Any]
    decided_by: str = Field(..., description="username of who decided")
    decided_at: dt.datetime

    @staticmethod
    def resolve_decided_by(obj: Decision) -> str:
        return obj.decided_by.username


class CaseNoteOut(Schema):
    id: int
    written_at: dt.datetime
    author: str
    clinical: bool
    text: str

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return obj.author.username


class IntakeIn(Schema):
    person_kind: Literal["student", "staff", "parent", "other"]
    person_name: str = Field(..., max_length=200)
    person_grade: str = Field("", max_length=10)
    person_details: str = ""
    reporter_name: str = Field("", max_length=200)
    reporter_contact: str = Field("", max_length=200)
    occurred_at: dt.datetime
    how_received: str = "in_person"
    behaviour: str
    mode: Literal["spoken", "written", "electronic", "gesture"]
    targets: str = ""
    witnesses: str = ""
    context: str = ""


class CaseIn(IntakeIn):
    team_id: int
    school_id: int | None = Field(None, description="for a district-level team: the school concerned")


class ReferralIn(IntakeIn):
    school_id: int
    how_received: str = "staff_referral"


class NotificationIn(Schema):
    recipient: Literal["target", "target_parent", "person_parent", "other"]
    name: str
    method: str
    notified_at: dt.datetime | None = None
    notes: str = ""


class DecisionIn(Schema):
    """One CSTAG decision. `step` says which, spelled with underscores (the canonical spelling; the case
    page's URLs write it with hyphens); the fields that step needs are required by it (the error names any
    that is missing)."""

    step: Literal["evaluate", "classify", "respond", "safety_evaluation", "safety_plan", "follow_up", "close"]
    rationale: str = ""
    # step 1
    person_interview: str = ""
    witness_interviews: str = ""
    target_interviews: str = ""
    records_reviewed: str = ""
    # step 2
    classification: Literal["transient", "substantive", ""] = ""
    resolution: str = ""
    in_doubt: bool = False
    # step 3
    seriousness: Literal["serious", "very_serious", ""] = ""
    protective_actions: str = ""
    notifications: list[NotificationIn] = []
    # step 4
    mental_health_assessment: str = ""
    law_enforcement_investigation: str = ""
    interim_measures: str = ""
    # step 5
    interventions: str = ""
    responsible_id: int | None = None
    monitoring_schedule: str = ""
    monitoring_dates: list[dt.date] = []
    # follow-up
    follow_up_id: int | None = None
    summary: str = ""
    next_due_on: dt.date | None = None
    # closure
    outcome: str = ""
    reason: str = ""


class NoteIn(Schema):
    text: str
    clinical: bool = False


class Accepted(Schema):
    detail: str


def _visible(request: ApiRequest, case_id: int) -> Case:
    return reads.load_case(request.auth, case_id, via="api")


@router.get("/threats/cases", response=list[CaseSummaryOut])
def list_cases(request: ApiRequest, open: bool = True):
    """The cases the caller may see (their teams', or their district's as its coordinator), newest first."""
    cases = reads.visible_cases(request.auth).order_by("-opened_at", "-pk")
    if open:
        cases = cases.exclude(stage="closed")
    shown = list(cases[:500])
    reads.audit_case_list(request.auth, shown, via="api")
    return shown


@router.post("/threats/cases", response={201: CaseOut})
def open_case(request: ApiRequest, payload: CaseIn):
    """Open a case as a member of the team (or the district's coordinator)."""
    data = payload.dict()
    team_id, school_id = data.pop("team_id"), data.pop("school_id")
    case = actions.do_open_case(request.auth, team_id, school=school_id, **data)
    return Status(201, case)


@router.post("/threats/referrals", response={201: Accepted})
def refer_concern(request: ApiRequest, payload: ReferralIn):
    """A staff member refers a concern to the school's team. The answer does not include the case."""
    data = payload.dict()
    school_id = data.pop("school_id")
    actions.do_refer_concern(request.auth, school_id, **data)
    return Status(201, {"detail": "The threat-assessment team has your referral."})


@router.get("/threats/cases/{case_id}", response=CaseOut)
def get_case(request: ApiRequest, case_id: int):
    """One case (audited); 404 unless the caller is on its team or is the district's coordinator."""
    return _visible(request, case_id)


@router.get("/threats/cases/{case_id}/decisions", response=list[DecisionOut])
def list_decisions(request: ApiRequest, case_id: int):
    """The case's decisions, oldest first (reading them is a read of the case, audited)."""
    case = _visible(request, case_id)
    return list(case.decisions.select_related("decided_by"))


@router.post("/threats/cases/{case_id}/decisions", response={201: DecisionOut})
def record_decision(request: ApiRequest, case_id: int, payload: DecisionIn) -> Status:
    """Record the case's next CSTAG step; 409 when the step is out of order, 400 naming a missing field."""
    policies.access_case(request.auth, case_id, "change")
    step = steps.BY_NAME[payload.step]  # the schema's Literal is the table's names (tests/test_steps.py)
    step.record(request.auth, case_id, **step.api_inputs(payload.dict()))
    return Status(201, Decision.objects.filter(case_id=case_id).select_related("decided_by").order_by("-pk").first())


@router.get("/threats/cases/{case_id}/notes", response=list[CaseNoteOut])
def list_notes(request: ApiRequest, case_id: int):
    """The notes the caller may read (clinical notes only for the team's mental-health members), each audited."""
    case = _visible(request, case_id)
    return reads.visible_notes(request.auth, case, via="api")


@router.get("/threats/cases/{case_id}/notes/{note_id}", response=CaseNoteOut)
def get_note(request: ApiRequest, case_id: int, note_id: int):
    """One note (audited); 404 for a clinical note unless the caller is a mental-health member of the team."""
    return reads.load_note(request.auth, case_id, note_id, via="api")


@router.post("/threats/cases/{case_id}/notes", response={201: CaseNoteOut})
def add_note(request: ApiRequest, case_id: int, payload: NoteIn):
    note = actions.do_add_note(request.auth, case_id, text=payload.text, clinical=payload.clinical)
    return Status(201, note)


@router.get("/threats/cases/{case_id}/export", response=dict[str, Any])
def export_case(request: ApiRequest, case_id: int, request_reference: str = Query(..., min_length=1, max_length=100)):
    """The whole case as one document for a records request (audited with the request's reference)."""
    case = policies.access_case(request.auth, case_id)
    return reads.export_case(request.auth, case, request_reference=request_reference.strip(), via="api")
