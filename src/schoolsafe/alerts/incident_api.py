"""The incident workspace API: room status (accounting for all persons), the message thread between
dispatch and the school, the timeline, the ICS 214 activity log and the CAP 1.2 messages and feed.

Every endpoint loads the alert through the access policy (alerts.policies): an alert the caller cannot see
is a 404, one they see but may not act on a 403.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, StrictInt, field_validator
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from schoolsafe.alerts import actions
from schoolsafe.alerts.api import PersonOut, _problems, read_json_object
from schoolsafe.alerts.models import Alert, RoomState
from schoolsafe.alerts.policies import access_alert
from schoolsafe.alerts.rooms import room_board, room_status_json
from schoolsafe.alerts.serialize import iso, person
from schoolsafe.alerts.timeline import timeline_for

router = Router(tags=["alerts: incident"])

MAX_MESSAGE = 2000
MAX_NOTE = 2000
MAX_NAMES = 500
MAX_NAME = 150
MAX_COUNT = 100_000


# --- input ----------------------------------------------------------------------------------------------


class RoomStatusIn(BaseModel):
    """A room's (or group's) report. `missing` / `extra`: names of students; `present` / `injured`: counts."""

    model_config = ConfigDict(extra="forbid")

    room: str = PydanticField(..., max_length=60, description="the room or group, e.g. 'C-12'")
    status: RoomState
    present: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="students present")
    staff: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="staff present (adults)")
    visitors: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT,
                                               description="visitors and other adults present")
    injured: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="number of injured people")
    missing: list[str] = PydanticField(default_factory=list, max_length=MAX_NAMES)
    extra: list[str] = PydanticField(default_factory=list, max_length=MAX_NAMES)
    note: str = PydanticField("", max_length=MAX_NOTE)

    @field_validator("room")
    @classmethod
    def room_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (the room or group reporting)")
        return value

    @field_validator("missing", "extra")
    @classmethod
    def clean_names(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(name.split()) for name in value]
        if any(not name for name in cleaned):
            raise ValueError("a name is empty")
        if any(len(name) > MAX_NAME for name in cleaned):
            raise ValueError(f"a name is longer than {MAX_NAME} characters")
        return cleaned


class RoomReleaseIn(BaseModel):
    """A room released in person from a lockdown (SRP lockdown release)."""

    model_config = ConfigDict(extra="forbid")

    room: str = PydanticField(..., max_length=60, description="the room or group released, e.g. 'C-12'")
    note: str = PydanticField("", max_length=500)

    @field_validator("room")
    @classmethod
    def room_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (the room released)")
        return value


class ThreatLocationIn(BaseModel):
    """Where the threat is: "shots heard near the gym"."""

    model_config = ConfigDict(extra="forbid")

    location: str = PydanticField(..., max_length=300, description="where the threat is, e.g. 'near the gym'")
    note: str = PydanticField("", max_length=1000, description="what was seen or heard")

    @field_validator("location")
    @classmethod
    def location_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (where the threat is)")
        return value


class MessageIn(BaseModel):
    """A message to the thread between dispatch and the school."""

    model_config = ConfigDict(extra="forbid")

    text: str = PydanticField(..., max_length=MAX_MESSAGE)

    @field_validator("text")
    @classmethod
    def text_given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("required (the message)")
        return value


def _parse(request: HttpRequest, schema: type[BaseModel]) -> Any:
    data = read_json_object(request)
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise HttpError(422, _problems(exc)) from None


def check_room_status(report: RoomStatusIn) -> None:
    """The rules between fields: a 'missing' report names who is missing, an 'extra' one who is extra, an
    'injured' one says how many. Raises 422 naming the field."""
    problems = []
    if report.status == RoomState.MISSING and not report.missing:
        problems.append("missing: name at least one missing student when the status is 'missing'")
    if report.status == RoomState.EXTRA and not report.extra:
        problems.append("extra: name at least one extra student when the status is 'extra'")
    if report.status == RoomState.INJURED and not report.injured:
        problems.append("injured: give the number of injured people (1 or more) when the status is 'injured'")
    if problems:
        raise HttpError(422, "; ".join(problems))


# --- output (for the OpenAPI document) --------------------------------------------------------------------


class RoomStatusOut(Schema):
    id: int
    room: str
    status: str = Field(..., description="ok, need_help, injured, missing, extra")
    present: int | None
    staff: int | None
    visitors: int | None
    injured: int | None
    missing: list[str] = Field(..., description="names; empty for those who may not read them (missing_count)")
    extra: list[str]
    missing_count: int
    extra_count: int
    names_withheld: bool = Field(..., description="true when names exist but the caller may not read them")
    note: str
    reported_by: PersonOut | None
    reported_at: str


class RoomCounts(Schema):
    rooms: int = Field(..., description="rooms expected or reported")
    reported: int
    not_reported: int
    by_status: dict[str, int]
    present: int
    staff: int
    visitors: int
    adults: int = Field(..., description="staff and visitors")
    injured: int
    missing: int
    extra: int


class RoomReleaseOut(Schema):
    id: int
    room: str
    released_by: PersonOut | None
    released_at: str
    note: str


class ReleaseBoardOut(Schema):
    required: bool = Field(..., description="true for a lockdown: rooms are released in person, one by one")
    released: list[RoomReleaseOut]
    not_released: list[str]


class ThreatLocationOut(Schema):
    id: int
    location: str
    note: str
    reported_by: PersonOut | None
    reported_at: str


class RoomBoardOut(Schema):
    alert: int
    rooms: list[RoomStatusOut] = Field(..., description="the latest report of each room, by room name")
    not_reported: list[str] = Field(..., description="expected rooms (from staff profiles) without a report yet")
    release: ReleaseBoardOut | None = Field(..., description="lockdown only: which rooms are released")
    counts: RoomCounts


class MessageOut(Schema):
    id: int
    author: PersonOut | None
    text: str
    at: str


class MessagesOut(Schema):
    alert: int
    items: list[MessageOut]


class EntryOut(Schema):
    at: str
    kind: str = Field(..., description="raised, delivered, acknowledged, escalated, room_status, message, "
                                       "all_clear, cancelled")
    actor: str | None = Field(..., description="who did it; null for the system (delivery, escalation)")
    text: str


class TimelineOut(Schema):
    alert: int
    entries: list[EntryOut]


class ErrorOut(Schema):
    detail: str


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


# --- loading --------------------------------------------------------------------------------------------


def _body(schema: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema.model_json_schema()}}}}


# --- room status ----------------------------------------------------------------------------------------


@router.post("/alerts/{alert_id}/room-status", response={201: RoomStatusOut, **_ERRORS},
             openapi_extra=_body(RoomStatusIn))
def report_room_status(request: HttpRequest, alert_id: int):
    """Report a room's state while the alert is active (the school's staff, admins, SRO). The latest report
    of a room replaces its state on the board; earlier ones stay in the timeline."""
    alert = access_alert(request.auth, alert_id, "room_status")
    report = _parse(request, RoomStatusIn)
    check_room_status(report)
    saved = actions.do_report_room_status(
        request.auth, alert, room=report.room, status=report.status.value, present=report.present,
        staff=report.staff, visitors=report.visitors, injured=report.injured, missing=report.missing,
        extra=report.extra, note=report.note.strip(),
    )
    return JsonResponse(room_status_json(saved), status=201)


def may_read_names(user: Any, alert: Alert) -> bool:
    """Whether `user` may read students' names in this incident (the ICS 214 export's readers)."""
    return Alert.objects.restrict(user, "student_names").filter(pk=alert.pk).exists()


def audit_names_read(user: Any, alert: Alert, board: dict[str, Any], where: str) -> None:
    """Audit a read that showed students' names, as the ICS 214 export is (a read without names is not)."""
    from schoolsafe.audit.log import record_read

    shown = sum(len(r["missing"]) + len(r["extra"]) for r in board["rooms"])
    if shown:
        record_read(user, alert, summary={"read": "student_names", "where": where, "names": shown})


def board_for(user: Any, alert: Alert, where: str) -> dict[str, Any]:
    """The board as `user` may see it: with names (audited) or with counts only."""
    names = may_read_names(user, alert)
    board = room_board(alert, names=names)
    if names:
        audit_names_read(user, alert, board, where)
    return board


@router.get("/alerts/{alert_id}/room-status", response={200: RoomBoardOut, **_ERRORS})
def room_status_board(request: HttpRequest, alert_id: int):
    """The status board: each room's latest report, the expected rooms not reported yet, the counts, and for
    a lockdown which rooms are released. Students' names only for those who run the response (audited)."""
    return board_for(request.auth, access_alert(request.auth, alert_id, "view"), "api.room_status")


# --- lockdown release, threat location --------------------------------------------------------------------


@router.post("/alerts/{alert_id}/room-release", response={201: RoomReleaseOut, **_ERRORS},
             openapi_extra=_body(RoomReleaseIn))
def release_room(request: HttpRequest, alert_id: int):
    """Release one room from a lockdown, in person (an officer or an administrator on site; SRP lockdown
    release). During the lockdown or after its all clear; 409 when already released or not a lockdown."""
    alert = access_alert(request.auth, alert_id, "release_room")
    given = _parse(request, RoomReleaseIn)
    saved = actions.do_release_room(request.auth, alert, given.room, given.note.strip())
    from schoolsafe.alerts.rooms import room_release_json

    return JsonResponse(room_release_json(saved), status=201)


@router.post("/alerts/{alert_id}/threat-location", response={201: ThreatLocationOut, **_ERRORS},
             openapi_extra=_body(ThreatLocationIn))
def report_threat_location(request: HttpRequest, alert_id: int):
    """Report where the threat is ("shots heard near the gym") while the alert is active: it goes to police
    dispatch at top priority (event `alert.threat_location`) and through the notification channels."""
    alert = access_alert(request.auth, alert_id, "threat_location")
    given = _parse(request, ThreatLocationIn)
    saved = actions.do_report_threat_location(request.auth, alert, given.location, given.note.strip())
    from schoolsafe.alerts.rooms import threat_location_json

    return JsonResponse(threat_location_json(saved), status=201)


# --- messages -------------------------------------------------------------------------------------------


def message_json(message: Any) -> dict[str, Any]:
    return {"id": message.pk, "author": person(message.author), "text": message.text, "at": iso(message.at)}


@router.get("/alerts/{alert_id}/messages", response={200: MessagesOut, **_ERRORS})
def list_messages(request: HttpRequest, alert_id: int):
    """The thread between dispatch and the school, oldest first."""
    alert = access_alert(request.auth, alert_id, "message")
    items = [message_json(m) for m in alert.messages.select_related("author").order_by("at", "id")]
    return {"alert": alert.pk, "items": items}


@router.post("/alerts/{alert_id}/messages", response={201: MessageOut, **_ERRORS}, openapi_extra=_body(MessageIn))
def post_message(request: HttpRequest, alert_id: int):
    """Write to the thread (up to 2,000 characters) while the alert is active."""
    alert = access_alert(request.auth, alert_id, "message")
    message = _parse(request, MessageIn)
    saved = actions.do_post_alert_message(request.auth, alert, message.text)
    return JsonResponse(message_json(saved), status=201)


# --- timeline -------------------------------------------------------------------------------------------


@router.get("/alerts/{alert_id}/timeline", response={200: TimelineOut, **_ERRORS})
def timeline(request: HttpRequest, alert_id: int):
    """Everything that happened, oldest first: raised, delivered, acknowledged, escalated, room statuses,
    messages, all clear or cancel."""
    alert = access_alert(request.auth, alert_id, "view")
    names = may_read_names(request.auth, alert)
    if names and any(r.missing or r.extra for r in alert.room_statuses.only("missing", "extra")):
        from schoolsafe.audit.log import record_read

        record_read(request.auth, alert, summary={"read": "student_names", "where": "api.timeline"})
    return {"alert": alert.pk, "entries": [e.as_json() for e in timeline_for(alert, names=names)]}


# --- ICS 214 activity log -------------------------------------------------------------------------------


def _ics214(request: HttpRequest, alert_id: int, fmt: str) -> HttpResponse:
    from schoolsafe.alerts.ics214 import activity_log, as_csv, as_pdf
    from schoolsafe.audit.log import record_read

    alert = access_alert(request.auth, alert_id, "export")
    log = activity_log(alert, request.auth)
    # An export names students and staff: a sensitive read, on the audit log like opening a case.
    record_read(request.auth, alert, summary={"export": "ics214", "format": fmt, "entries": len(log.entries)})
    if fmt == "csv":
        response = HttpResponse(as_csv(log), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_pdf(log), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ics214-alert-{alert.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/alerts/{alert_id}/ics214.csv", response={**_ERRORS}, openapi_extra={
    "responses": {"200": {"description": "the ICS 214 activity log as CSV", "content": {"text/csv": {}}}}})
def ics214_csv(request: HttpRequest, alert_id: int):
    """The incident's ICS 214 activity log as CSV (incident name, operational period, resources, each
    entry's time and notable activity, prepared by the caller). Audited."""
    return _ics214(request, alert_id, "csv")


@router.get("/alerts/{alert_id}/ics214.pdf", response={**_ERRORS}, openapi_extra={
    "responses": {"200": {"description": "the ICS 214 activity log as PDF", "content": {"application/pdf": {}}}}})
def ics214_pdf(request: HttpRequest, alert_id: int):
    """The incident's ICS 214 activity log as a PDF laid out like the form. Audited."""
    return _ics214(request, alert_id, "pdf")


# --- CAP 1.2 --------------------------------------------------------------------------------------------


@router.get("/alerts/{alert_id}/cap.xml", response={**_ERRORS}, openapi_extra={
    "responses": {"200": {"description": "an OASIS CAP 1.2 message", "content": {"application/cap+xml": {}}}}})
def cap_message(request: HttpRequest, alert_id: int, n: int | None = None):
    """The alert as an OASIS CAP 1.2 message: the latest of its sequence (Alert, Update..., then the
    AllClear Update or the Cancel), or message `n` (from 1)."""
    from django.utils import timezone

    from schoolsafe.alerts.cap import CAP_MIME, cap_xml, expires_for, messages_for

    alert = access_alert(request.auth, alert_id, "view")
    messages = messages_for(alert)
    if n is None:
        message = messages[-1]
    elif 1 <= n <= len(messages):
        message = messages[n - 1]
    else:
        raise HttpError(404, f"n: alert {alert.pk} has CAP messages 1 to {len(messages)}")
    expires, _ = expires_for(alert, messages, timezone.now())
    response = HttpResponse(cap_xml(alert, message, expires), content_type=f"{CAP_MIME}; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@router.get("/cap/feed", response={**_ERRORS}, openapi_extra={
    "responses": {"200": {"description": "an Atom 1.0 feed", "content": {"application/atom+xml": {}}},
                  "304": {"description": "not modified since the ETag (If-None-Match) or date (If-Modified-Since)"}}})
def cap_feed(request: HttpRequest):
    """An Atom 1.0 feed of the caller's alerts: one entry per CAP message, newest first, each with the
    CAP message inline and a link to its cap.xml. An alert stays until its messages expire (the all
    clear and the cancel too). ETag and Last-Modified; a conditional GET that matches gets a 304."""
    import hashlib

    from django.urls import reverse
    from django.utils import timezone
    from django.utils.cache import get_conditional_response
    from django.utils.http import http_date

    from schoolsafe.alerts.cap import atom_feed, feed_alerts, feed_id

    now = timezone.now()
    alerts, left_at = feed_alerts(Alert.objects.restrict(request.auth, "view"), now)

    def cap_url(alert: Alert, n: int) -> str:
        return request.build_absolute_uri(reverse("api:cap_message", kwargs={"alert_id": alert.pk})) + f"?n={n}"

    body, updated = atom_feed(alerts, feed_urn=feed_id(request.auth), self_url=request.build_absolute_uri(),
                              cap_url=cap_url, now=now, left_at=left_at)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    last_modified = int(updated.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Per caller (private) and always revalidated (no-cache): a follower polls with If-None-Match.
    response["Cache-Control"] = "private, no-cache"
    return response
