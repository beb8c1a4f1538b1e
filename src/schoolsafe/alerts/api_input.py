"""What the alerts API reads: the JSON bodies it parses by hand (size first, then JSON, then the schema),
their schemas, the rules between fields, and the Idempotency-Key of a raise."""

import datetime as dt
import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, StrictBool, field_validator, model_validator
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from schoolsafe.alerts.models import (
    DEFAULT_STRATEGIES,
    Action,
    Hazard,
    IdempotencyKey,
    Tier,
)

MAX_BODY_BYTES = 64 * 1024


MAX_IDEMPOTENCY_KEY = 255


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


def validation_problems(exc: PydanticValidationError) -> str:
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


class AllClearIn(BaseModel):
    """Optional with most alerts. For a real lockdown (SRP lockdown release): an administrator names the
    officer who concurred; a dispatcher names the incident commander the all clear is recorded for."""

    model_config = ConfigDict(extra="forbid")

    concurring_officer: str = PydanticField("", max_length=150, description="name and badge of the officer")
    on_behalf_of: str = PydanticField("", max_length=150, description="the incident commander (name, unit)")


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


class DrillWindowIn(BaseModel):
    """A drill's time at a school and whom dispatch calls about it."""

    model_config = ConfigDict(extra="forbid")

    starts_at: dt.datetime
    ends_at: dt.datetime
    contact: str = PydanticField(..., min_length=1, max_length=200)


def parse_json(request: HttpRequest, schema: type[BaseModel]) -> Any:
    try:
        return schema.model_validate(read_json_object(request))
    except PydanticValidationError as exc:
        raise HttpError(422, validation_problems(exc)) from None


def json_body(schema: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema.model_json_schema()}}}}
