"""The partnership API: joint meetings and action items.

Meetings and items load through the access policy (partnership/policies.py): one the caller may not see is
404, one they see but may not change 403. What an action refuses (end before start, a person from neither
side, an unknown agency) is a 4xx whose detail names the field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from schoolsafe.access.orgkey import OrgKey, organization_model
from schoolsafe.accounts.http import ApiRequest
from schoolsafe.accounts.models import User
from schoolsafe.core.models import Agency, District, School
from schoolsafe.partnership import actions
from schoolsafe.partnership.ical import MIMETYPE, calendar_filename, meeting_calendar
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.policies import access_action_item, access_meeting

router = Router(tags=["partnership"])


class PersonOut(Schema):
    id: int
    name: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int | None
    title: str
    owner: PersonOut
    organization: str = Field(..., description="the owner's organization, e.g. school:12")
    organization_name: str
    due_on: dt.date
    status: str
    overdue: bool
    evidence: str
    evidence_url: str
    completed_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    kind: str
    agency_id: int
    district_id: int
    school_id: int | None
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    agenda: str
    minutes: str
    decisions: list[str]
    status: str
    sequence: int
    attendees: list[PersonOut]
    action_items: list[ActionItemOut]


class MeetingIn(Schema):
    kind: str = "quarterly"
    agency_id: int
    district_id: int
    school_id: int | None = None
    title: str
    starts_at: dt.datetime = Field(..., description="with a time zone offset (ISO 8601)")
    ends_at: dt.datetime
    location: str = ""
    agenda: str = ""
    attendee_ids: list[int]


class MeetingChangeIn(Schema):
    kind: str | None = None
    school_id: int | None = None
    title: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    location: str | None = None
    agenda: str | None = None
    attendee_ids: list[int] | None = None


class CancelIn(Schema):
    reason: str = ""


class MinutesIn(Schema):
    minutes: str
    decisions: list[str] = []


class ActionItemIn(Schema):
    meeting_id: int | None = None
    title: str
    owner_id: int
    organization: str = Field(..., description="agency:ID, district:ID or school:ID")
    due_on: dt.date


class ActionItemChangeIn(Schema):
    title: str | None = None
    owner_id: int | None = None
    due_on: dt.date | None = None
    status: str | None = None
    evidence: str | None = None
    evidence_url: str | None = None


class CompleteIn(Schema):
    evidence: str = ""
    evidence_url: str = ""


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": user.display_name}


def _item_out(item: ActionItem, today: dt.date) -> dict[str, Any]:
    organization = item.organization
    return {"id": item.pk, "meeting_id": item.meeting_id, "title": item.title, "owner": _person(item.owner),
            "organization": item.organization_key, "organization_name": organization.name if organization else "",
            "due_on": item.due_on, "status": item.status, "overdue": item.is_overdue(today),
            "evidence": item.evidence, "evidence_url": item.evidence_url, "completed_at": item.completed_at}


def _meeting_out(request: ApiRequest, meeting: JointMeeting) -> dict[str, Any]:
    today = timezone.localdate()
    items = ActionItem.objects.restrict(request.auth, "view").filter(meeting=meeting).select_related(
        "owner", "agency", "district", "school")
    return {**{f: getattr(meeting, f) for f in ("id", "kind", "agency_id", "district_id", "school_id", "title",
                                                  "starts_at", "ends_at", "location", "agenda", "minutes",
                                                  "decisions", "status", "sequence")},
            "attendees": [_person(u) for u in meeting.attendees.order_by("full_name", "username")],
            "action_items": [_item_out(i, today) for i in items]}


def _people(ids: list[int]) -> list[Any]:
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise actions.MeetingError(f"no such person: {', '.join(missing)}", field="attendees")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _school(school_id: int | None) -> Any:
    if school_id is None:
        return None
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        raise actions.MeetingError("no such school", field="school")
    return school


@router.get("/partnership/meetings", response=list[MeetingOut])
def list_meetings(request: ApiRequest):
    """The joint meetings the caller leads, attends or owns an item of, latest first."""
    meetings = JointMeeting.objects.restrict(request.auth, "view").prefetch_related("attendees")
    return [_meeting_out(request, m) for m in meetings[:200]]


@router.post("/partnership/meetings", response={201: MeetingOut})
def schedule_meeting(request: ApiRequest, payload: MeetingIn):
    """Schedule a joint meeting; each attendee is mailed the iCalendar invitation (METHOD:REQUEST)."""
    meeting = actions.do_schedule_meeting(
        request.auth, kind=payload.kind, agency=Agency.objects.filter(pk=payload.agency_id).first(),
        district=District.objects.filter(pk=payload.district_id).first(), school=_school(payload.school_id),
        title=payload.title, starts_at=payload.starts_at, ends_at=payload.ends_at, location=payload.location,
        agenda=payload.agenda, attendees=_people(payload.attendee_ids))
    return Status(201, _meeting_out(request, meeting))


@router.get("/partnership/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: ApiRequest, meeting_id: int):
    """One meeting: agenda, minutes, decisions, attendees and its action items."""
    return _meeting_out(request, access_meeting(request.auth, meeting_id))


@router.patch("/partnership/meetings/{meeting_id}", response=MeetingOut)
def change_meeting(request: ApiRequest, meeting_id: int, payload: MeetingChangeIn):
    """Change a scheduled meeting; the attendees get the update (SEQUENCE + 1), anyone removed a CANCEL."""
    meeting = access_meeting(request.auth, meeting_id, "change")
    given = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in given.items() if k not in ("school_id", "attendee_ids")}
    if "school_id" in given:
        changes["school"] = _school(given["school_id"])
    attendees = _people(given["attendee_ids"]) if given.get("attendee_ids") is not None else None
    return _meeting_out(request, actions.do_update_meeting(request.auth, meeting, attendees=attendees, **changes))


@router.post("/partnership/meetings/{meeting_id}/cancel", response=MeetingOut)
def cancel_meeting(request: ApiRequest, meeting_id: int, payload: CancelIn):
    """Cancel a scheduled meeting; each attendee gets METHOD:CANCEL."""
    meeting = access_meeting(request.auth, meeting_id, "change")
    return _meeting_out(request, actions.do_cancel_meeting(request.auth, meeting, reason=payload.reason))


@router.post("/partnership/meetings/{meeting_id}/minutes", response=MeetingOut)
def record_minutes(request: ApiRequest, meeting_id: int, payload: MinutesIn):
    """Record the minutes and decisions of a meeting that has started; it is then held."""
    meeting = access_meeting(request.auth, meeting_id, "change")
    return _meeting_out(request, actions.do_record_minutes(request.auth, meeting, minutes=payload.minutes,
                                                           decisions=payload.decisions))


@router.get("/partnership/meetings/{meeting_id}/invitation.ics", response={200: None}, openapi_extra={
    "responses": {"200": {"description": "the iCalendar invitation (RFC 5545, iTIP RFC 5546)",
                          "content": {"text/calendar": {"schema": {"type": "string"}}}}}})
def meeting_ics(request: ApiRequest, meeting_id: int):
    """The meeting as an iCalendar file: METHOD:REQUEST, or METHOD:CANCEL once cancelled."""
    meeting = access_meeting(request.auth, meeting_id)
    response = HttpResponse(meeting_calendar(meeting), content_type=f"{MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar_filename(meeting)}"'
    return response


# --- action items -----------------------------------------------------------------------------------------


def _organization(key: str) -> Any:
    try:
        parsed = OrgKey.parse(key)
    except ValueError as exc:
        raise actions.ActionItemError(str(exc), field="organization") from exc
    organization = organization_model(parsed.kind).objects.filter(pk=parsed.id).first()
    if organization is None:
        raise actions.ActionItemError(f"no such {parsed.kind}", field="organization")
    return organization


def _visible_items(request: ApiRequest) -> Any:
    return ActionItem.objects.restrict(request.auth, "view").select_related("owner", "agency", "district", "school")


@router.get("/partnership/action-items", response=list[ActionItemOut])
def list_action_items(request: ApiRequest):
    """The action items the caller may see, soonest due first."""
    today = timezone.localdate()
    return [_item_out(i, today) for i in _visible_items(request)[:500]]


@router.get("/partnership/action-items/overdue", response=list[ActionItemOut])
def overdue_action_items(request: ApiRequest):
    """Items past their due date and not done or dropped, by organization, oldest first."""
    today = timezone.localdate()
    items = _visible_items(request).filter(due_on__lt=today, status__in=ActionItem.OPEN_STATUSES)
    return [_item_out(i, today) for i in sorted(items, key=lambda i: (i.organization_key, i.due_on, i.pk))]


@router.post("/partnership/action-items", response={201: ActionItemOut})
def create_action_item(request: ApiRequest, payload: ActionItemIn):
    """Give someone an action item for their organization (from a meeting, or of an organization one leads)."""
    meeting = access_meeting(request.auth, payload.meeting_id, "change") if payload.meeting_id else None
    owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
    item = actions.do_create_action_item(request.auth, title=payload.title, owner=owner,
                                         organization=_organization(payload.organization), due_on=payload.due_on,
                                         meeting=meeting)
    return Status(201, _item_out(item, timezone.localdate()))


@router.get("/partnership/action-items/{item_id}", response=ActionItemOut)
def get_action_item(request: ApiRequest, item_id: int):
    """One action item."""
    return _item_out(access_action_item(request.auth, item_id), timezone.localdate())


@router.patch("/partnership/action-items/{item_id}", response=ActionItemOut)
def update_action_item(request: ApiRequest, item_id: int, payload: ActionItemChangeIn):
    """Change an item: the leads anything; the owner its status and evidence ("done" needs evidence)."""
    # "update" reaches the leads and the owner; the action tells which fields each may change.
    item = access_action_item(request.auth, item_id, "update")
    changes = payload.model_dump(exclude_unset=True)
    if "owner_id" in changes:
        changes["owner"] = User.objects.filter(pk=changes.pop("owner_id"), is_active=True).first()
    item = actions.do_update_action_item(request.auth, item, **changes)
    return _item_out(item, timezone.localdate())


@router.post("/partnership/action-items/{item_id}/complete", response=ActionItemOut)
def complete_action_item(request: ApiRequest, item_id: int, payload: CompleteIn):
    """Mark an item done with its evidence (a text, a link or both): refused without (422, `evidence`)."""
    item = access_action_item(request.auth, item_id, "update")
    item = actions.do_complete_action_item(request.auth, item, evidence=payload.evidence,
                                           evidence_url=payload.evidence_url)
    return _item_out(item, timezone.localdate())

