"""The tips API: anonymous submission and follow-up (no authentication), and triage for analysts.

`POST /tips` takes JSON, or multipart/form-data when files are attached (the same fields as form
fields, files as `attachments`). It is parsed by hand rather than by a schema so that a malformed body,
a disguised file and an unknown school each get one clear error naming the field; the OpenAPI
document still describes it.
"""

import datetime as dt
import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse, RawPostDataException
from django.utils import translation
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as Reply

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.tips import actions, anonymous
from schoolsafe.tips.attachments import AttachmentError, check_attachments, install_upload_limit, oversize_error
from schoolsafe.tips.credentials import normalize_code
from schoolsafe.tips.forms import MAX_TEXT, TipForm
from schoolsafe.tips.models import Category, Destination, Outcome, Source, Status, Tip, TipRoute
from schoolsafe.tips.policies import access_tip
from schoolsafe.tips.public_views import find_tip

router = Router(tags=["tips"])

FIELDS = ("category", "school", "what", "when_text", "where_text", "who_text")
LANGUAGES = ("en", "es")


def _error(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def _limited(wait: int, what: str) -> JsonResponse:
    response = _error(429, f"{what}: too many requests from this client; retry after {wait} seconds")
    response["Retry-After"] = str(wait)
    return response


class TipSubmitted(Schema):
    code: str = Field(..., description="the tip code; with the passphrase it opens the follow-up")
    passphrase: str = Field(..., description="shown only in this answer; only its hash is kept")
    status: str
    received_at: dt.datetime


TIP_FIELDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["category", "school", "what"],
    "properties": {
        "category": {"type": "string", "enum": list(Category.values)},
        "school": {"type": "integer", "description": "school id (GET /api/v1/public/schools)"},
        "what": {"type": "string", "maxLength": MAX_TEXT},
        "when_text": {"type": "string", "maxLength": 300},
        "where_text": {"type": "string", "maxLength": 300},
        "who_text": {"type": "string", "maxLength": 2000},
        "language": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
    },
}


def _parse_body(request: HttpRequest) -> tuple[dict[str, Any], list[Any]] | JsonResponse:
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        install_upload_limit(request)
        try:
            data = {key: request.POST.get(key) for key in (*FIELDS, "language") if key in request.POST}
            uploads = request.FILES.getlist("attachments")
        except RequestDataTooBig:
            return _error(413, "body: the request is too large")
        return data, uploads
    if content_type != "application/json":
        return _error(415, "body: send application/json, or multipart/form-data with attachments")
    try:
        raw = request.body
    except (RequestDataTooBig, RawPostDataException):
        return _error(413, "body: the request is too large")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(400, f"body: malformed JSON ({exc.__class__.__name__}: {exc})"[:300])
    if not isinstance(data, dict):
        return _error(400, "body: expected a JSON object with the tip's fields")
    return data, []


@router.post(
    "/tips", auth=None, response={201: TipSubmitted},
    summary="Send an anonymous tip",
    openapi_extra={
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": TIP_FIELDS_SCHEMA},
            "multipart/form-data": {"schema": {**TIP_FIELDS_SCHEMA, "properties": {
                **TIP_FIELDS_SCHEMA["properties"],
                "attachments": {"type": "array", "items": {"type": "string", "format": "binary"},
                                "description": "JPEG, PNG, GIF, WebP or PDF, at most 10 MB each, at most 5"},
            }}},
        }},
        "responses": {"400": {"description": "malformed body"}, "413": {"description": "an attachment is over 10 MB"},
                      "422": {"description": "a field is missing or invalid (named in detail)"},
                      "429": {"description": "rate limited; see Retry-After"}},
    },
)
def submit_tip(request: HttpRequest) -> Any:
    """Anonymous: no address, user agent or cookie is kept. The answer holds the code and passphrase,
    shown once. Error `detail` names the field: `category: ...`, `school: ...`, `attachments: ...`."""
    if anonymous.cross_site(request):
        return _error(403, "origin: tips are not accepted from another site's pages")
    wait = anonymous.submit_limit(request)
    if wait:
        return _limited(wait, "tips")
    parsed = _parse_body(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    data, uploads = parsed
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        return _error(422, f"language: must be one of {', '.join(LANGUAGES)}")
    with translation.override(language):
        unknown = sorted(set(data) - {*FIELDS, "language"})
        if unknown:
            return _error(422, f"{unknown[0]}: unknown field (expected {', '.join(FIELDS)}, language)")
        not_text = [k for k in FIELDS if k != "school" and data.get(k) is not None and not isinstance(data[k], str)]
        if not_text:
            return _error(422, f"{not_text[0]}: must be a string")
        form = TipForm({k: v for k, v in data.items() if v is not None})
        valid = form.is_valid()
        if not valid:
            problems = [f"{name}: {errors[0]}" for name, errors in form.errors.items()]
            return _error(422, "; ".join(problems), errors={k: [str(e) for e in v] for k, v in form.errors.items()})
        too_big = oversize_error(request)
        try:
            if too_big:
                raise too_big
            clean_files = check_attachments(uploads)
        except AttachmentError as exc:
            return _error(exc.status, f"attachments: {exc.message}")
        tip, passphrase = actions.do_submit_tip(form.tip_input(language), clean_files, source=Source.API)
    return Reply(201, {"code": tip.code, "passphrase": passphrase, "status": tip.status, "received_at": tip.received_at})


class LookupIn(Schema):
    code: str = Field(..., max_length=20)
    passphrase: str = Field(..., max_length=40)
    message: str | None = Field(None, max_length=MAX_TEXT, description="more information or an answer, added to the thread")


class ThreadMessage(Schema):
    from_tipster: bool
    body: str
    at: dt.datetime


class TipStatusOut(Schema):
    code: str
    status: str
    status_label: str
    closed: bool
    received_at: dt.datetime
    category: str
    school: str
    messages: list[ThreadMessage]


def _status_out(tip: Tip, language: str = "en") -> dict[str, Any]:
    with translation.override(language):
        label = str(tip.get_status_display())
    return {
        "code": tip.code, "status": tip.status, "status_label": label, "closed": not tip.is_open,
        "received_at": tip.received_at, "category": tip.category, "school": tip.school.name if tip.school else "",
        "messages": [{"from_tipster": m.from_tipster, "body": m.body, "at": m.created_at} for m in tip.messages.all()],
    }


@router.post("/tips/lookup", auth=None, response={200: TipStatusOut},
             openapi_extra={"responses": {"404": {"description": "no tip with this code and passphrase"},
                                          "409": {"description": "the tip is closed (message refused)"},
                                          "429": {"description": "too many attempts; see Retry-After"}}})
def lookup_tip(request: HttpRequest, payload: LookupIn) -> Any:
    """The tipster's view of a tip (status and thread, nothing internal); `message` adds to the thread.
    Wrong passphrases are throttled per client and per tip code; the right passphrase is never refused
    because of others' wrong ones."""
    if anonymous.cross_site(request):
        return _error(403, "origin: not accepted from another site's pages")
    code = normalize_code(payload.code)
    wait = anonymous.lookup_blocked(request)
    if wait:
        return _limited(wait, "lookup")
    tip = find_tip(code, payload.passphrase)
    if tip is None:
        wait = anonymous.wrong_passphrase(request, code)
        if wait:
            return _limited(wait, "lookup")
        return _error(404, "code or passphrase: no tip matches this code and passphrase")
    if payload.message is not None:
        body = payload.message.strip()
        if not body:
            return _error(422, "message: must not be empty")
        try:
            actions.do_add_tipster_message(tip, body)
        except actions.TipStateError:
            return _error(409, "message: this tip is closed and takes no more messages")
        tip.refresh_from_db()
    return Reply(200, _status_out(tip, tip.language))


class SchoolChoice(Schema):
    id: int
    name: str
    city: str
    district: str


@router.get("/public/schools", auth=None, response=list[SchoolChoice])
def public_schools(request: HttpRequest, q: str = "") -> Any:
    """Schools a tip can be about, by name or town (at most 50): for apps that send tips."""
    from schoolsafe.core.models import School

    q = q.strip()[:100]
    schools = School.objects.select_related("district").order_by("name", "pk")
    if q:
        schools = schools.filter(name__icontains=q) | schools.filter(city__icontains=q)
    return [{"id": s.pk, "name": s.name, "city": s.city, "district": s.district.name} for s in schools[:50]]


# --- staff ------------------------------------------------------------------------------------------


class Reason(Schema):
    rule: str
    reason: str
    match: str = ""


class TipSummaryOut(Schema):
    id: int
    code: str
    category: str
    school_id: int | None
    district_id: int
    status: str
    urgent: bool
    urgency_score: int
    urgency_reasons: list[Reason]
    source: str
    received_at: dt.datetime
    deadline: dt.datetime
    claimed_by: str | None


class TipNoteOut(Schema):
    author: str
    body: str
    at: dt.datetime


class TipDetailOut(TipSummaryOut):
    what: str
    when_text: str
    where_text: str
    who_text: str
    language: str
    possibly_malicious: bool
    outcome: str
    outcome_note: str
    closed_at: dt.datetime | None
    first_action_at: dt.datetime | None
    escalated_at: dt.datetime | None
    messages: list[ThreadMessage]
    notes: list[TipNoteOut]
    routes: list[str]
    attachments: list[int]


SUMMARY_FIELDS = ("id", "code", "category", "school_id", "district_id", "status", "urgent", "urgency_score",
                  "urgency_reasons", "source", "received_at", "deadline")
DETAIL_FIELDS = ("what", "when_text", "where_text", "who_text", "language", "possibly_malicious", "outcome",
                 "outcome_note", "closed_at", "first_action_at", "escalated_at")


def _summary(tip: Tip) -> dict[str, Any]:
    out = {k: getattr(tip, k) for k in SUMMARY_FIELDS}
    out["claimed_by"] = tip.claimed_by.username if tip.claimed_by else None
    return out


def _detail(tip: Tip) -> dict[str, Any]:
    out = {**_summary(tip), **{k: getattr(tip, k) for k in DETAIL_FIELDS}}
    out["messages"] = [{"from_tipster": m.from_tipster, "body": m.body, "at": m.created_at} for m in tip.messages.all()]
    out["notes"] = [{"author": n.author.username, "body": n.body, "at": n.created_at}
                    for n in tip.notes.select_related("author")]
    out["routes"] = list(tip.routes.values_list("destination", flat=True))
    out["attachments"] = list(tip.attachments.values_list("pk", flat=True))
    return out


@router.get("/tips", response=list[TipSummaryOut])
def list_tips(request: ApiRequest, status: str = "open") -> Any:
    """The caller's tip queue: open tips by urgency then age (`status=closed` or `all` for others); at most 200."""
    tips = Tip.objects.restrict(request.auth, "view").select_related("claimed_by")
    if status == "open":
        tips = tips.exclude(status=Status.CLOSED)
    elif status in Status.values:
        tips = tips.filter(status=status)
    elif status != "all":
        raise HttpError(422, f"status: expected open, all or one of {', '.join(Status.values)}")
    return [_summary(t) for t in tips.order_by("-urgent", "-urgency_score", "received_at", "pk")[:200]]


class DispatchSchoolOut(Schema):
    id: int | None
    name: str


class DispatchTipOut(Schema):
    tip_id: int
    url: str
    urgent: bool
    category: str
    category_label: str
    school: DispatchSchoolOut
    received_at: str
    routed_at: str
    reason: str
    acknowledged_at: str | None
    acknowledged_by: str | None


@router.get("/tips/dispatch", response=list[DispatchTipOut])
def dispatch_tips(request: ApiRequest) -> Any:
    """For the dispatch console: the open tips sent to the caller's police dispatch, newest first (at most 100),
    without their text or code (open the tip itself to read it). Empty for anyone but dispatch."""
    tips = Tip.objects.restrict(request.auth, "acknowledge_dispatch").exclude(status=Status.CLOSED).select_related("school")
    routes = (TipRoute.objects.filter(destination=Destination.POLICE, tip__in=tips)
              .select_related("tip__school", "acknowledged_by").order_by("-routed_at", "-pk")[:100])
    return [actions.dispatch_item(route.tip, route) for route in routes]


@router.post("/tips/{tip_id}/dispatch-acknowledge", response=DispatchTipOut)
def acknowledge_dispatch_tip(request: ApiRequest, tip_id: int) -> Any:
    """Dispatch acknowledges a tip sent to it: every console stops sounding for it. 404 unless it was sent to
    the caller's dispatch."""
    tip = access_tip(request.auth, tip_id, "acknowledge_dispatch")
    route = actions.do_acknowledge_dispatch_tip(request.auth, tip)
    return actions.dispatch_item(tip, route)


@router.get("/tips/{tip_id}", response=TipDetailOut)
def get_tip(request: ApiRequest, tip_id: int) -> Any:
    """One tip with its thread and internal notes (the read is audited); 404 when not yours to see."""
    tip = access_tip(request.auth, tip_id)
    actions.record_tip_read(request.auth, tip, "api")
    return _detail(tip)


class BodyIn(Schema):
    body: str = Field(..., min_length=1, max_length=MAX_TEXT)


class RouteIn(Schema):
    destination: str = Field(..., description=", ".join(Destination.values))
    note: str = Field("", max_length=2000)


class CloseIn(Schema):
    outcome: str = Field(..., description=", ".join(Outcome.values))
    note: str = Field("", max_length=MAX_TEXT)


@router.post("/tips/{tip_id}/claim", response=TipDetailOut)
def claim_tip(request: ApiRequest, tip_id: int) -> Any:
    """Claim the tip for the caller (an analyst for it)."""
    tip = actions.do_claim_tip(request.auth, access_tip(request.auth, tip_id, "change"))
    return _detail(tip)


@router.post("/tips/{tip_id}/messages", response={201: TipDetailOut})
def message_tipster(request: ApiRequest, tip_id: int, payload: BodyIn) -> Any:
    """A message the tipster reads with their code and passphrase."""
    tip = access_tip(request.auth, tip_id, "change")
    actions.do_message_tipster(request.auth, tip, payload.body.strip())
    return Reply(201, _detail(tip))


@router.post("/tips/{tip_id}/notes", response={201: TipDetailOut})
def add_note(request: ApiRequest, tip_id: int, payload: BodyIn) -> Any:
    """An internal note (never shown to the tipster)."""
    tip = access_tip(request.auth, tip_id, "change")
    actions.do_add_tip_note(request.auth, tip, payload.body.strip())
    return Reply(201, _detail(tip))


@router.post("/tips/{tip_id}/routes", response={201: TipDetailOut})
def route_tip(request: ApiRequest, tip_id: int, payload: RouteIn) -> Any:
    """Route the tip to the school, police dispatch or the threat-assessment team."""
    if payload.destination not in Destination.values:
        raise HttpError(422, f"destination: expected one of {', '.join(Destination.values)}")
    tip = access_tip(request.auth, tip_id, "change")
    actions.do_route_tip(request.auth, tip, payload.destination, payload.note)
    return Reply(201, _detail(tip))


@router.post("/tips/{tip_id}/close", response=TipDetailOut)
def close_tip(request: ApiRequest, tip_id: int, payload: CloseIn) -> Any:
    """Close the tip with its outcome (required)."""
    if payload.outcome not in Outcome.values:
        raise HttpError(422, f"outcome: expected one of {', '.join(Outcome.values)}")
    tip = actions.do_close_tip(request.auth, access_tip(request.auth, tip_id, "change"), payload.outcome, payload.note)
    return _detail(tip)

