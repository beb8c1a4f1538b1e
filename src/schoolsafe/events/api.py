"""API of the events app: delivery receipts, and the OpenAPI description of the event stream."""


from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.events.actions import MAX_RECEIPTS, do_record_receipts

router = Router(tags=["events"])


class ReceiptsIn(Schema):
    ids: list[int] = Field(..., max_length=MAX_RECEIPTS, description="ids of events this client received")


class ReceiptsOut(Schema):
    received: list[int] = Field(..., description="the ids now on record as received by the caller "
                                                 "(ids of events the caller may not see are ignored)")


@router.post("/events/receipts", response=ReceiptsOut)
def record_receipts(request: ApiRequest, payload: ReceiptsIn):
    """Delivery receipt: the caller's device received these events. Idempotent; the first time counts."""
    return {"received": do_record_receipts(request.auth, payload.ids)}


_STREAM_DOC = {
    "parameters": [
        {"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "integer", "minimum": 0},
         "description": "the id of the last event this client received: every later event the caller may see "
                        "is sent first, in id order, then the live stream"},
        {"name": "last_event_id", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
         "description": "the same, for clients that cannot set headers (used when the header is absent)"},
    ],
    "responses": {
        "200": {
            "description": (
                "A Server-Sent Events stream (`text/event-stream`) of the events the caller may see. Each event "
                "is `id: <n>` (monotonically increasing), `event: <kind>` (alert.raised, alert.acknowledged, "
                "alert.all_clear, alert.cancelled, alert.escalated, ...) and `data: <JSON>`. Lines starting "
                "with `:` are comments; a `: hb` heartbeat comes at least every 30 seconds. When the server "
                "ends the stream, reconnect with the last id received."
            ),
            "content": {"text/event-stream": {"schema": {"type": "string"},
                                              "example": "id: 42\nevent: alert.raised\ndata: {\"alert\": 7}\n\n"}},
        },
        "400": {"description": "a malformed last event id", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}},
        "401": {"description": "no valid bearer token or session", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}},
    },
}


@router.get("/events", openapi_extra=_STREAM_DOC, summary="Event stream (Server-Sent Events)")
def event_stream_description(request: HttpRequest):
    """The real-time event stream. Served by the ASGI application beside Django (`schoolsafe serve`);
    this operation exists to describe it, and answers only when Django is reached directly."""
    raise HttpError(503, "the event stream is served by the ASGI application (schoolsafe serve), not this one")
