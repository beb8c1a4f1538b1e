"""The notifications API: an integration (or a script of an administrator) reads the channels it
administers and their delivery logs, and sends a test message. Secrets are never returned."""

from typing import Any

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.notifications.actions import do_send_test_notification
from schoolsafe.notifications.models import Delivery, DeliveryAttempt, NotificationChannel
from schoolsafe.notifications.policies import access_channel

router = Router(tags=["notifications"])


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    organization: str = Field(description="agency:ID, district:ID or school:ID")
    enabled: bool
    event_kinds: list[str]
    url: str | None = Field(None, description="webhook and SMS gateway address")
    recipients: list[str] = Field(default_factory=list, description="email addresses or phone numbers")


class AttemptOut(Schema):
    number: int
    started_at: str
    duration_ms: int
    ok: bool
    response_code: int | None
    error: str


class DeliveryOut(Schema):
    id: int
    event: str
    subject: str
    recipient: str
    status: str
    attempts: int
    next_attempt_at: str | None
    response_code: int | None
    last_error: str
    created_at: str
    delivered_at: str | None
    attempt_log: list[AttemptOut]


class LogQuery(Schema):
    limit: int = Field(50, ge=1, le=200)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def channel_json(channel: NotificationChannel) -> dict[str, Any]:
    return {"id": channel.pk, "name": channel.name, "kind": channel.kind, "organization": channel.organization_key,
            "enabled": channel.enabled, "event_kinds": channel.event_kinds, "url": channel.config.get("url"),
            "recipients": channel.recipients}


def attempt_json(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {"number": attempt.number, "started_at": _iso(attempt.started_at), "duration_ms": attempt.duration_ms,
            "ok": attempt.ok, "response_code": attempt.response_code, "error": attempt.error}


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {"id": delivery.pk, "event": delivery.notification.event_kind, "subject": delivery.notification.subject,
            "recipient": delivery.recipient, "status": delivery.status, "attempts": delivery.attempts,
            "next_attempt_at": _iso(delivery.next_attempt_at), "response_code": delivery.response_code,
            "last_error": delivery.last_error, "created_at": _iso(delivery.created_at),
            "delivered_at": _iso(delivery.delivered_at),
            "attempt_log": [attempt_json(a) for a in delivery.attempt_log.all()]}


def _channel(request: ApiRequest, channel_id: int, action: str) -> NotificationChannel:
    # Another organization's channel does not exist for the caller: 404.
    return access_channel(request.auth, channel_id, action)


@router.get("/notifications/channels", response=list[ChannelOut], summary="The channels of the organizations you administer")
def list_channels(request: ApiRequest) -> list[dict[str, Any]]:
    channels = NotificationChannel.objects.restrict(request.auth, "view").order_by("name", "pk")
    return [channel_json(c) for c in channels]


@router.get("/notifications/channels/{channel_id}/deliveries", response=list[DeliveryOut],
            summary="A channel's delivery log, newest first, with every attempt")
def channel_deliveries(request: ApiRequest, channel_id: int, query: Query[LogQuery]) -> list[dict[str, Any]]:
    channel = _channel(request, channel_id, "view")
    deliveries = (Delivery.objects.filter(channel=channel).select_related("notification")
                  .prefetch_related("attempt_log").order_by("-created_at", "-pk")[:query.limit])
    return [delivery_json(d) for d in deliveries]


@router.post("/notifications/channels/{channel_id}/test", response={202: list[DeliveryOut]},
             summary="Send a test message through a channel")
def send_test(request: ApiRequest, channel_id: int) -> Status:
    channel = _channel(request, channel_id, "change")
    deliveries = do_send_test_notification(request.auth, channel)
    return Status(202, [delivery_json(d) for d in deliveries])
