"""The alerts API: raise an alert, list and read alerts, acknowledge, all clear, cancel, delivery report.

The POST that raises an alert is the most important request SchoolSafe answers, so its path is short:
the body is read and checked by hand (size before parsing, then JSON, then the schema), the school and
the caller's right to raise are decided from one query and the caller's memberships, and one action
writes everything in one transaction.

What it reads is in api_input.py, what it answers (for the OpenAPI document) in api_output.py.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from ninja import Router
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError

from schoolsafe.access.policy import ALL_ROLES
from schoolsafe.accounts.http import ApiRequest
from schoolsafe.alerts import actions
from schoolsafe.alerts.api_input import (
    AlertIn,
    AllClearIn,
    ChangeActionIn,
    ConfirmCancelIn,
    DrillWindowIn,
    check_alert_fields,
    device_of,
    idempotency_key,
    json_body,
    parse_json,
    read_json_object,
    replay,
    request_hash,
    validation_problems,
)
from schoolsafe.alerts.api_output import (
    ERRORS,
    AcknowledgeOut,
    AlertDetailOut,
    AlertOut,
    AlertPage,
    AlertReportOut,
    DeliveryOut,
    DrillWindowOut,
    RaisedOut,
    SchoolStateOut,
)
from schoolsafe.alerts.audience import DISPATCH_ROLES
from schoolsafe.alerts.models import (
    Alert,
    DrillWindow,
    IdempotencyKey,
    Status,
)
from schoolsafe.alerts.policies import DRILL_WINDOW_ROLES, RAISE_ROLES, access_alert, reaches_school
from schoolsafe.alerts.serialize import alert_json, iso, person

router = Router(tags=["alerts"])


# --- endpoints ------------------------------------------------------------------------------------------


@router.post(
    "/alerts",
    response={201: RaisedOut, **ERRORS},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": AlertIn.model_json_schema()}}},
        "parameters": [{
            "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 255},
            "description": "Retry safely: the same key with the same body returns the first answer and creates "
                           "nothing; with a different body, 422. Kept at least 24 hours, per user.",
        }],
    },
)
def raise_alert(request: ApiRequest):
    """Raise an alert for a school. 201 only once the alert and its event are committed.

    One incident per emergency: when the school already has an active incident with a report within the
    merge window (SCHOOLSAFE_ALERT_MERGE_WINDOW), the raise is an additional report to it (`merged`: true,
    the incident's `id`, the `report`); a more protective action changes the incident's action."""
    user = request.auth
    data = read_json_object(request)
    try:
        payload = AlertIn.model_validate(data)
    except PydanticValidationError as exc:
        raise HttpError(422, validation_problems(exc)) from None
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


def _alerts(request: ApiRequest, action: str = "view") -> QuerySet:
    return Alert.objects.restrict(request.auth, action).select_related("school", "raised_by")


@router.get("/alerts", response={200: AlertPage, **ERRORS})
def list_alerts(request: ApiRequest, status: Status | None = None, school: int | None = None,
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


@router.get("/alerts/{alert_id}", response={200: AlertDetailOut, **ERRORS})
def get_alert(request: ApiRequest, alert_id: int):
    """One alert with its acknowledgements."""
    alert = access_alert(request.auth, alert_id, "view")
    acks = alert.acknowledgements.select_related("user")
    return {**alert_json(alert), "acknowledgements": [{"user": person(a.user), "at": iso(a.at)} for a in acks]}


@router.post("/alerts/{alert_id}/acknowledge", response={200: AcknowledgeOut, **ERRORS})
def acknowledge_alert(request: ApiRequest, alert_id: int):
    """Say you have the alert. Dispatch's acknowledgement stops the escalation timer. Repeating is harmless."""
    alert = access_alert(request.auth, alert_id, "acknowledge")
    ack, created = actions.do_acknowledge_alert(request.auth, alert)
    return {"alert": alert.pk, "user": person(request.auth), "at": iso(ack.at), "created": created}


@router.post("/alerts/{alert_id}/all-clear", response={200: AlertOut, **ERRORS}, openapi_extra={
    "requestBody": {"required": False, "content": {"application/json": {"schema": AllClearIn.model_json_schema()}}}})
def all_clear(request: ApiRequest, alert_id: int):
    """End an active alert (police, SRO, principal, district director). A real lockdown is released by law
    enforcement: an administrator gives `concurring_officer`, a dispatcher `on_behalf_of`, else 403."""
    alert = access_alert(request.auth, alert_id, "all_clear")
    # No body at all is allowed (most all clears need nothing more).
    body = read_json_object(request) if request.META.get("CONTENT_LENGTH") not in (None, "", "0") else {}
    try:
        given = AllClearIn.model_validate(body)
    except PydanticValidationError as exc:
        raise HttpError(422, validation_problems(exc)) from None
    alert = actions.do_give_all_clear(request.auth, alert, on_behalf_of=given.on_behalf_of,
                                      concurring_officer=given.concurring_officer)
    return alert_json(alert)


@router.post("/alerts/{alert_id}/cancel", response={200: AlertOut, 202: AlertOut, **ERRORS})
def cancel_alert(request: ApiRequest, alert_id: int):
    """Withdraw an active alert raised by mistake (its raiser, police, SRO, principal, district director).
    A real lockdown cancelled by anyone but police dispatch is only requested (202, still active, with
    `cancel_requested_at`): dispatch calls back and confirms it (`/cancel/confirm`)."""
    alert = access_alert(request.auth, alert_id, "cancel")
    alert = actions.do_cancel_alert(request.auth, alert)
    return (202 if alert.status == Status.ACTIVE else 200), alert_json(alert)


@router.get("/alerts/{alert_id}/delivery", response={200: DeliveryOut, **ERRORS})
def delivery_report(request: ApiRequest, alert_id: int):
    """Every intended recipient, when the alert reached them, when they acknowledged (or null)."""
    from schoolsafe.alerts.delivery import delivery_report as build

    return build(access_alert(request.auth, alert_id, "delivery"))


# --- one incident per emergency, cancel requests, current state, drill windows ---------------------------


@router.post("/alerts/{alert_id}/action", response={200: AlertOut, **ERRORS}, openapi_extra=json_body(ChangeActionIn))
def change_action(request: ApiRequest, alert_id: int):
    """Change the incident to a more protective action (Secure → Lockdown, Lockdown → Evacuate, any →
    Shelter with its hazard): a new notification and a CAP Update referring to the earlier messages."""
    alert = access_alert(request.auth, alert_id, "change_action")
    payload = parse_json(request, ChangeActionIn)
    fields = check_alert_fields(AlertIn(school=alert.school_id, action=payload.action, hazard=payload.hazard,
                                        strategy=payload.strategy, evacuate_to=payload.evacuate_to))
    alert = actions.do_change_action(request.auth, alert, fields["action"], hazard=fields["hazard"],
                                     strategy=fields["strategy"], evacuate_to=fields["evacuate_to"],
                                     reason=payload.reason.strip())
    return alert_json(alert)


@router.post("/alerts/{alert_id}/cancel/confirm", response={200: AlertOut, **ERRORS},
             openapi_extra=json_body(ConfirmCancelIn))
def confirm_cancel(request: ApiRequest, alert_id: int):
    """Police dispatch confirms a requested cancel after calling back (`reached`: whom, how); the incident
    ends as cancelled."""
    alert = access_alert(request.auth, alert_id, "confirm_cancel")
    payload = parse_json(request, ConfirmCancelIn)
    alert = actions.do_confirm_cancel(request.auth, alert, payload.reached.strip())
    return alert_json(alert)


@router.get("/alerts/{alert_id}/reports", response={200: list[AlertReportOut], **ERRORS})
def list_reports(request: ApiRequest, alert_id: int):
    """Every raise that opened or joined the incident, oldest first (who, where, when, flood flag)."""
    alert = access_alert(request.auth, alert_id, "view")
    return [actions.report_json(r) for r in alert.reports.select_related("reported_by")]


def _school(request: ApiRequest, school_id: int, roles: frozenset[str] = ALL_ROLES) -> actions.SchoolRef:
    school = actions.load_school(school_id)
    if school is None or not reaches_school(request.auth, school, ALL_ROLES):
        raise HttpError(404, f"school: no school {school_id} that you can see")
    if not reaches_school(request.auth, school, roles):
        raise HttpError(403, "school: you may not do this for this school")
    return school


@router.get("/schools/{school_id}/state", response={200: SchoolStateOut, **ERRORS})
def school_state(request: ApiRequest, school_id: int):
    """The school's current state: the most protective action in force (of the incidents you may see)."""
    from schoolsafe.alerts.state import current_state

    school = _school(request, school_id)
    return current_state(school.id, request.auth)


def drill_window_json(window: DrillWindow) -> dict[str, Any]:
    return {"id": window.pk, "school": window.school_id, "starts_at": iso(window.starts_at),
            "ends_at": iso(window.ends_at), "contact": window.contact, "registered_by": person(window.registered_by)}


@router.get("/schools/{school_id}/drill-windows", response={200: list[DrillWindowOut], **ERRORS})
def list_drill_windows(request: ApiRequest, school_id: int):
    """The school's drill windows that have not ended, soonest first."""
    from django.utils import timezone

    school = _school(request, school_id, DRILL_WINDOW_ROLES | DISPATCH_ROLES)
    windows = (DrillWindow.objects.restrict(request.auth, "view").filter(school_id=school.id, ends_at__gt=timezone.now())
               .select_related("registered_by"))
    return [drill_window_json(w) for w in windows]


@router.post("/schools/{school_id}/drill-windows", response={201: DrillWindowOut, **ERRORS},
             openapi_extra=json_body(DrillWindowIn))
def register_drill_window(request: ApiRequest, school_id: int):
    """Register a drill: exercises raised at the school in the window reach dispatch, as exercises."""
    school = _school(request, school_id, DRILL_WINDOW_ROLES)
    payload = parse_json(request, DrillWindowIn)
    window = actions.do_register_drill_window(request.auth, school, starts_at=payload.starts_at,
                                              ends_at=payload.ends_at, contact=payload.contact.strip())
    return 201, drill_window_json(window)
