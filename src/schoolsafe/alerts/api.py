"""The alerts API: raise an alert, list and read alerts, acknowledge, all clear, cancel, delivery report.

The POST that raises an alert is the most important request SchoolSafe answers, so its path is short:
the body is read and checked by hand (size before parsing, then JSON, then the schema), the school and
the caller's right to raise are decided from one query and the caller's memberships, and one action
writes everything in one transaction.
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, StrictBool, field_validator, model_validator
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from schoolsafe.access.policy import ALL_ROLES
from schoolsafe.alerts import actions
from schoolsafe.alerts.audience import DISPATCH_ROLES
from schoolsafe.alerts.models import (
    DEFAULT_STRATEGIES,
    Action,
    Alert,
    DrillWindow,
    Hazard,
    IdempotencyKey,
    Status,
    Tier,
)
from schoolsafe.alerts.policies import DRILL_WINDOW_ROLES, RAISE_ROLES, access_alert, reaches_school
from schoolsafe.alerts.serialize import alert_json, iso, person

router = Router(tags=["alerts"])

MAX_BODY_BYTES = 64 * 1024
MAX_IDEMPOTENCY_KEY = 255


# --- input ----------------------------------------------------------------------------------------------


class LocationIn(BaseModel):
    """Where in the school: any of building, room, free text, and optionally coordinates."""

    model_config = ConfigDict(extra="forbid")

    building: str = PydanticField("", max_length=100)
    room: str = PydanticField("", max_length=60)
    text: str = PydanticField("", max_length=500)
    latitude: float | None = PydanticField(None, ge=-90, le=90)
    longitude: float | None = PydanticField(None, ge=-180, le=180)

    @model_validator(mode="after")
    def both_coordinates(self) -> "LocationIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class AlertIn(BaseModel):
    """A new alert. `hazard` (and optionally `strategy`) only with shelter; `evacuate_to` only with evacuate."""

    model_config = ConfigDict(extra="forbid")

    school: int
    action: Action
    tier: Tier = Tier.EMERGENCY
    reason: str = PydanticField("", max_length=500)
    location: LocationIn | None = PydanticField(None, description="an object (free text goes in its `text`), or null")
    exercise: StrictBool = False
    hazard: Hazard | None = None
    strategy: str | None = PydanticField(None, max_length=200)
    evacuate_to: str | None = PydanticField(None, max_length=200)

    @field_validator("location", mode="before")
    @classmethod
    def location_is_an_object(cls, value: Any) -> Any:
        # The documented schema is an object or null; a string is refused (not silently turned into one)
        # so that what the API accepts is what its OpenAPI document says, for generated clients too.
        if value is not None and not isinstance(value, dict):
            raise ValueError('must be an object such as {"room": "212", "text": "by the stairs"}, or null; '
                             f"not {type(value).__name__ if not isinstance(value, str) else 'a string'}")
        return value


def _problems(exc: PydanticValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        parts.append(f"{'.'.join(loc) or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def read_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object body; 413 over 64 KB (decided before reading it when the length is
    announced), 400 when it is not JSON, 422 when it is not an object."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(400, "Content-Length: not a number") from None
    if announced > MAX_BODY_BYTES:
        raise HttpError(413, f"body: {announced} bytes is larger than the limit of {MAX_BODY_BYTES} bytes (64 KB)")
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(413, f"body: {len(raw)} bytes is larger than the limit of {MAX_BODY_BYTES} bytes (64 KB)")
    if not raw.strip():
        raise HttpError(400, "body: empty; send a JSON object")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HttpError(400, f"body: malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except ValueError:
        raise HttpError(400, "body: malformed JSON (not UTF-8 text)") from None
    if not isinstance(data, dict):
        raise HttpError(422, "body: must be a JSON object")
    return data


def check_alert_fields(alert: AlertIn) -> dict[str, Any]:
    """The action-specific rules (SRP: shelter names its hazard, evacuate its destination) and the
    fields for do_raise_alert. Raises 422 naming the field."""
    problems = []
    if alert.action == Action.SHELTER:
        if alert.hazard is None:
            problems.append("hazard: required for shelter (tornado, hazmat, earthquake, tsunami or other)")
        elif alert.hazard == Hazard.OTHER and not (alert.strategy or "").strip():
            problems.append("strategy: required when the hazard is 'other'")
    else:
        if alert.hazard is not None:
            problems.append("hazard: only for shelter")
        if alert.strategy is not None:
            problems.append("strategy: only for shelter")
    if alert.action == Action.EVACUATE:
        if not (alert.evacuate_to or "").strip():
            problems.append("evacuate_to: required for evacuate (where to go)")
    elif alert.evacuate_to is not None:
        problems.append("evacuate_to: only for evacuate")
    if problems:
        raise HttpError(422, "; ".join(problems))
    location = alert.location or LocationIn()
    hazard = alert.hazard.value if alert.hazard else ""
    return {
        "action": alert.action.value,
        "tier": alert.tier.value,
        "reason": alert.reason.strip(),
        "building": location.building.strip(),
        "room": location.room.strip(),
        "location_text": location.text.strip(),
        "latitude": location.latitude,
        "longitude": location.longitude,
        "exercise": alert.exercise,
        "hazard": hazard,
        "strategy": (alert.strategy or "").strip() or DEFAULT_STRATEGIES.get(hazard, ""),
        "evacuate_to": (alert.evacuate_to or "").strip(),
    }


def idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise HttpError(400, f"Idempotency-Key: 1 to {MAX_IDEMPOTENCY_KEY} printable characters")
    return key


def device_of(request: HttpRequest) -> str:
    """Which device a raise came from, for the flood rate: its API token or its browser session (a digest,
    never the secret itself)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:16]
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:16] if session_key else ""


def request_hash(request: HttpRequest, data: dict[str, Any]) -> str:
    # Of the parsed body, so that a retry that re-serializes the same object (other key order or
    # spacing) is still "the same request".
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def replay(stored: IdempotencyKey, request_digest: str) -> HttpResponse:
    """The first response again (same key, same body), or 422 when the body differs (Stripe's rule)."""
    if stored.request_hash != request_digest:
        raise HttpError(422, "Idempotency-Key: already used with a different request; use a new key")
    response = JsonResponse(stored.response_body, status=stored.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


# --- output (for the OpenAPI document; the answers are built by alerts.serialize) -------------------------


class PersonOut(Schema):
    id: int
    name: str


class SchoolRefOut(Schema):
    id: int
    name: str


class LocationOut(Schema):
    building: str
    room: str
    text: str
    latitude: float | None
    longitude: float | None


class PanicDeviceOut(Schema):
    device: str
    prefix: str


class AlertOut(Schema):
    id: int
    school: SchoolRefOut
    action: str = Field(..., description="SRP action: hold, secure, lockdown, evacuate, shelter")
    directive: str = Field(..., description="the school's SRP wording for the action")
    directive_es: str = Field(..., description="the same in the school's Spanish wording")
    hazard: str | None
    strategy: str | None
    evacuate_to: str | None
    tier: str
    reason: str
    location: LocationOut
    exercise: bool
    status: str
    raised_by: PersonOut | None
    raised_with: PanicDeviceOut | None = Field(None, description="the device's panic credential it was raised with")
    raised_at: str
    escalated_at: str | None
    all_clear_at: str | None
    all_clear_text: str | None = Field(..., description="what people are told with the all clear (lockdown: stay "
                                                         "locked until your room is released in person)")
    all_clear_text_es: str | None
    all_clear_on_behalf_of: str | None = Field(..., description="the incident commander dispatch recorded it for")
    all_clear_concurring_officer: str | None
    cancelled_at: str | None
    reach: str = Field(..., description="whom it reaches (its route): assist (administrators, SRO) or emergency")
    dispatch: str = Field(..., description="how dispatch gets it: none, informed, priority, top (its route)")
    cancel_requested_at: str | None = Field(..., description="a cancel awaiting dispatch's call-back")
    cancel_requested_by: PersonOut | None
    cancel_confirmation: str | None = Field(..., description="whom dispatch reached to confirm the cancel")
    flood_flagged_at: str | None = Field(..., description="reports beyond the flood rate were seen")


class AlertReportOut(Schema):
    id: int
    action: str
    by: PersonOut | None
    building: str
    room: str
    note: str
    at: str
    merged: bool = Field(..., description="joined an incident already open")
    flood: bool = Field(..., description="beyond the per-person or per-device rate")


class RaisedOut(AlertOut):
    merged: bool = Field(..., description="true: an additional report to the school's active incident `id`")
    report: AlertReportOut


class AcknowledgementOut(Schema):
    user: PersonOut
    at: str


class AlertDetailOut(AlertOut):
    acknowledgements: list[AcknowledgementOut]


class AlertPage(Schema):
    items: list[AlertOut]
    count: int


class AcknowledgeOut(Schema):
    alert: int
    user: PersonOut
    at: str
    created: bool = Field(..., description="false when the caller had already acknowledged")


class ReachPathOut(Schema):
    path: str = Field(..., description="stream, push or sms (the fallback)")
    at: str | None
    ok: bool
    detail: str


class RecipientOut(Schema):
    user: PersonOut
    roles: list[str]
    received_at: str | None = Field(..., description="when the alert reached them (their delivery receipt, else "
                                                      "their acknowledgement: acknowledging proves receipt)")
    received_by: str | None = Field(..., description="receipt or acknowledgement: what showed it reached them")
    acknowledged_at: str | None
    paths: list[ReachPathOut] = Field(default_factory=list, description="every path tried, in time order")
    reached_by: str | None = Field(None, description="the first path that worked: stream, push or sms")


class DeliveryCounts(Schema):
    intended: int
    received: int
    acknowledged: int
    not_received: int
    not_acknowledged: int


class DeliveryOut(Schema):
    alert: int
    event: int | None = Field(..., description="id of the alert.raised event whose receipts are reported")
    recipients: list[RecipientOut]
    counts: DeliveryCounts


class ErrorOut(Schema):
    detail: str


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


# --- endpoints ------------------------------------------------------------------------------------------


@router.post(
    "/alerts",
    response={201: RaisedOut, **_ERRORS},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": AlertIn.model_json_schema()}}},
        "parameters": [{
            "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 255},
            "description": "Retry safely: the same key with the same body returns the first answer and creates "
                           "nothing; with a different body, 422. Kept at least 24 hours, per user.",
        }],
    },
)
def raise_alert(request: HttpRequest):
    """Raise an alert for a school. 201 only once the alert and its event are committed.

    One incident per emergency: when the school already has an active incident with a report within the
    merge window (SCHOOLSAFE_ALERT_MERGE_WINDOW), the raise is an additional report to it (`merged`: true,
    the incident's `id`, the `report`); a more protective action changes the incident's action."""
    user = request.auth
    data = read_json_object(request)
    try:
        payload = AlertIn.model_validate(data)
    except PydanticValidationError as exc:
        raise HttpError(422, _problems(exc)) from None
    fields = check_alert_fields(payload)
    key = idempotency_key(request)
    digest = request_hash(request, data) if key is not None else ""
    if key is not None:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is not None:
            return replay(stored, digest)
    school = actions.load_school(payload.school)
    # A school the caller cannot see and one that does not exist answer alike.
    if school is None or not reaches_school(user, school, ALL_ROLES):
        raise HttpError(404, f"school: no school {payload.school} that you can see")
    if not reaches_school(user, school, RAISE_ROLES):
        raise HttpError(403, "school: you may not raise alerts for this school")
    try:
        _alert, body = actions.do_raise_alert(
            user, school, **fields, device=device_of(request), idempotency=(key, digest) if key is not None else None
        )
    except actions.IdempotencyKeyTaken:
        return replay(IdempotencyKey.objects.get(user=user, key=key), digest)
    return JsonResponse(body, status=201)


def _alerts(request: HttpRequest, action: str = "view") -> QuerySet:
    return Alert.objects.restrict(request.auth, action).select_related("school", "raised_by")


@router.get("/alerts", response={200: AlertPage, **_ERRORS})
def list_alerts(request: HttpRequest, status: Status | None = None, school: int | None = None,
                page: int = 1, page_size: int = 50):
    """The alerts the caller may see, newest first; filter by status (`active`, ...) and school."""
    if page < 1 or not 1 <= page_size <= 200:
        raise HttpError(422, "page: from 1; page_size: 1 to 200")
    qs = _alerts(request)
    if status is not None:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school_id=school)
    start = (page - 1) * page_size
    items = [alert_json(a) for a in qs.order_by("-raised_at", "-id")[start:start + page_size]]
    return {"items": items, "count": qs.count()}


@router.get("/alerts/{alert_id}", response={200: AlertDetailOut, **_ERRORS})
def get_alert(request: HttpRequest, alert_id: int):
    """One alert with its acknowledgements."""
    alert = access_alert(request.auth, alert_id, "view")
    acks = alert.acknowledgements.select_related("user")
    return {**alert_json(alert), "acknowledgements": [{"user": person(a.user), "at": iso(a.at)} for a in acks]}


@router.post("/alerts/{alert_id}/acknowledge", response={200: AcknowledgeOut, **_ERRORS})
def acknowledge_alert(request: HttpRequest, alert_id: int):
    """Say you have the alert. Dispatch's acknowledgement stops the escalation timer. Repeating is harmless."""
    alert = access_alert(request.auth, alert_id, "acknowledge")
    ack, created = actions.do_acknowledge_alert(request.auth, alert)
    return {"alert": alert.pk, "user": person(request.auth), "at": iso(ack.at), "created": created}


class AllClearIn(BaseModel):
    """Optional with most alerts. For a real lockdown (SRP lockdown release): an administrator names the
    officer who concurred; a dispatcher names the incident commander the all clear is recorded for."""

    model_config = ConfigDict(extra="forbid")

    concurring_officer: str = PydanticField("", max_length=150, description="name and badge of the officer")
    on_behalf_of: str = PydanticField("", max_length=150, description="the incident commander (name, unit)")


@router.post("/alerts/{alert_id}/all-clear", response={200: AlertOut, **_ERRORS}, openapi_extra={
    "requestBody": {"required": False, "content": {"application/json": {"schema": AllClearIn.model_json_schema()}}}})
def all_clear(request: HttpRequest, alert_id: int):
    """End an active alert (police, SRO, principal, district director). A real lockdown is released by law
    enforcement: an administrator gives `concurring_officer`, a dispatcher `on_behalf_of`, else 403."""
    alert = access_alert(request.auth, alert_id, "all_clear")
    # No body at all is allowed (most all clears need nothing more).
    body = read_json_object(request) if request.META.get("CONTENT_LENGTH") not in (None, "", "0") else {}
    try:
        given = AllClearIn.model_validate(body)
    except PydanticValidationError as exc:
        raise HttpError(422, _problems(exc)) from None
    alert = actions.do_give_all_clear(request.auth, alert, on_behalf_of=given.on_behalf_of,
                                      concurring_officer=given.concurring_officer)
    return alert_json(alert)


@router.post("/alerts/{alert_id}/cancel", response={200: AlertOut, 202: AlertOut, **_ERRORS})
def cancel_alert(request: HttpRequest, alert_id: int):
    """Withdraw an active alert raised by mistake (its raiser, police, SRO, principal, district director).
    A real lockdown cancelled by anyone but police dispatch is only requested (202, still active, with
    `cancel_requested_at`): dispatch calls back and confirms it (`/cancel/confirm`)."""
    alert = access_alert(request.auth, alert_id, "cancel")
    alert = actions.do_cancel_alert(request.auth, alert)
    return (202 if alert.status == Status.ACTIVE else 200), alert_json(alert)


@router.get("/alerts/{alert_id}/delivery", response={200: DeliveryOut, **_ERRORS})
def delivery_report(request: HttpRequest, alert_id: int):
    """Every intended recipient, when the alert reached them, when they acknowledged (or null)."""
    from schoolsafe.alerts.delivery import delivery_report as build

    return build(access_alert(request.auth, alert_id, "delivery"))


# --- one incident per emergency, cancel requests, current state, drill windows (issue 12) ----------------


class ChangeActionIn(BaseModel):
    """A more protective action for the incident; `hazard` with shelter, `evacuate_to` with evacuate."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    hazard: Hazard | None = None
    strategy: str | None = PydanticField(None, max_length=200)
    evacuate_to: str | None = PydanticField(None, max_length=200)
    reason: str = PydanticField("", max_length=500)


class ConfirmCancelIn(BaseModel):
    """Dispatch's confirmation of a requested cancel: whom they reached by call-back, and how."""

    model_config = ConfigDict(extra="forbid")

    reached: str = PydanticField(..., min_length=1, max_length=300)


class SchoolStateOut(Schema):
    school: int
    action: str | None = Field(..., description="the most protective SRP action in force, or null")
    directive: str | None
    hazard: str | None
    strategy: str | None
    evacuate_to: str | None
    exercise: bool | None
    incident: int | None = Field(..., description="the incident that sets the state")
    since: str | None
    incidents: list[int] = Field(..., description="every active incident at the school you may see")


class DrillWindowIn(BaseModel):
    """A drill's time at a school and whom dispatch calls about it."""

    model_config = ConfigDict(extra="forbid")

    starts_at: dt.datetime
    ends_at: dt.datetime
    contact: str = PydanticField(..., min_length=1, max_length=200)


class DrillWindowOut(Schema):
    id: int
    school: int
    starts_at: str
    ends_at: str
    contact: str
    registered_by: PersonOut | None


def _parse(request: HttpRequest, schema: type[BaseModel]) -> Any:
    try:
        return schema.model_validate(read_json_object(request))
    except PydanticValidationError as exc:
        raise HttpError(422, _problems(exc)) from None


def _body(schema: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema.model_json_schema()}}}}


@router.post("/alerts/{alert_id}/action", response={200: AlertOut, **_ERRORS}, openapi_extra=_body(ChangeActionIn))
def change_action(request: HttpRequest, alert_id: int):
    """Change the incident to a more protective action (Secure → Lockdown, Lockdown → Evacuate, any →
    Shelter with its hazard): a new notification and a CAP Update referring to the earlier messages."""
    alert = access_alert(request.auth, alert_id, "change_action")
    payload = _parse(request, ChangeActionIn)
    fields = check_alert_fields(AlertIn(school=alert.school_id, action=payload.action, hazard=payload.hazard,
                                        strategy=payload.strategy, evacuate_to=payload.evacuate_to))
    alert = actions.do_change_action(request.auth, alert, fields["action"], hazard=fields["hazard"],
                                     strategy=fields["strategy"], evacuate_to=fields["evacuate_to"],
                                     reason=payload.reason.strip())
    return alert_json(alert)


@router.post("/alerts/{alert_id}/cancel/confirm", response={200: AlertOut, **_ERRORS},
             openapi_extra=_body(ConfirmCancelIn))
def confirm_cancel(request: HttpRequest, alert_id: int):
    """Police dispatch confirms a requested cancel after calling back (`reached`: whom, how); the incident
    ends as cancelled."""
    alert = access_alert(request.auth, alert_id, "confirm_cancel")
    payload = _parse(request, ConfirmCancelIn)
    alert = actions.do_confirm_cancel(request.auth, alert, payload.reached.strip())
    return alert_json(alert)


@router.get("/alerts/{alert_id}/reports", response={200: list[AlertReportOut], **_ERRORS})
def list_reports(request: HttpRequest, alert_id: int):
    """Every raise that opened or joined the incident, oldest first (who, where, when, flood flag)."""
    alert = access_alert(request.auth, alert_id, "view")
    return [actions.report_json(r) for r in alert.reports.select_related("reported_by")]


def _school(request: HttpRequest, school_id: int, roles: frozenset[str] = ALL_ROLES) -> actions.SchoolRef:
    school = actions.load_school(school_id)
    if school is None or not reaches_school(request.auth, school, ALL_ROLES):
        raise HttpError(404, f"school: no school {school_id} that you can see")
    if not reaches_school(request.auth, school, roles):
        raise HttpError(403, "school: you may not do this for this school")
    return school


@router.get("/schools/{school_id}/state", response={200: SchoolStateOut, **_ERRORS})
def school_state(request: HttpRequest, school_id: int):
    """The school's current state: the most protective action in force (of the incidents you may see)."""
    from schoolsafe.alerts.state import current_state

    school = _school(request, school_id)
    return current_state(school.id, request.auth)


def drill_window_json(window: DrillWindow) -> dict[str, Any]:
    return {"id": window.pk, "school": window.school_id, "starts_at": iso(window.starts_at),
            "ends_at": iso(window.ends_at), "contact": window.contact, "registered_by": person(window.registered_by)}


@router.get("/schools/{school_id}/drill-windows", response={200: list[DrillWindowOut], **_ERRORS})
def list_drill_windows(request: HttpRequest, school_id: int):
    """The school's drill windows that have not ended, soonest first."""
    from django.utils import timezone

    school = _school(request, school_id, DRILL_WINDOW_ROLES | DISPATCH_ROLES)
    windows = (DrillWindow.objects.restrict(request.auth, "view").filter(school_id=school.id, ends_at__gt=timezone.now())
               .select_related("registered_by"))
    return [drill_window_json(w) for w in windows]


@router.post("/schools/{school_id}/drill-windows", response={201: DrillWindowOut, **_ERRORS},
             openapi_extra=_body(DrillWindowIn))
def register_drill_window(request: HttpRequest, school_id: int):
    """Register a drill: exercises raised at the school in the window reach dispatch, as exercises."""
    school = _school(request, school_id, DRILL_WINDOW_ROLES)
    payload = _parse(request, DrillWindowIn)
    window = actions.do_register_drill_window(request.auth, school, starts_at=payload.starts_at,
                                              ends_at=payload.ends_at, contact=payload.contact.strip())
    return 201, drill_window_json(window)
