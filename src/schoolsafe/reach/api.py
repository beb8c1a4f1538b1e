"""The Web Push API: a signed-in person registers the devices SchoolSafe may wake with an alert, lists them and
removes one. Only the owner sees or removes a subscription (another person's is a 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.reach.actions import do_subscribe_push, do_unsubscribe_push
from schoolsafe.reach.models import PushSubscription
from schoolsafe.reach.vapid import application_server_key

router = Router(tags=["push"])


class KeysIn(Schema):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class SubscriptionIn(Schema):
    """`PushSubscription.toJSON()` of the browser, with a name for the device."""

    device_name: str = Field("", max_length=100)
    endpoint: str = Field(max_length=1000)
    keys: KeysIn


class SubscriptionOut(Schema):
    id: int
    device_name: str
    created_at: str
    last_success_at: str | None


class ServerKeyOut(Schema):
    public_key: str = Field(description="VAPID public key (RFC 8292) for pushManager.subscribe's applicationServerKey")


def _out(sub: PushSubscription) -> dict[str, Any]:
    return {"id": sub.pk, "device_name": sub.device_name, "created_at": sub.created_at.isoformat(),
            "last_success_at": sub.last_success_at.isoformat() if sub.last_success_at else None}


@router.get("/push/key", response=ServerKeyOut)
def server_key(request: HttpRequest) -> dict[str, Any]:
    return {"public_key": application_server_key()}


@router.get("/push/subscriptions", response=list[SubscriptionOut])
def list_subscriptions(request: ApiRequest) -> list[dict[str, Any]]:
    subs = PushSubscription.objects.filter(user=request.auth, revoked_at__isnull=True).order_by("pk")
    return [_out(s) for s in subs]


@router.post("/push/subscriptions", response={201: SubscriptionOut})
def subscribe(request: ApiRequest, payload: SubscriptionIn) -> Status:
    # A refused endpoint (PushError) is answered by the API's ActionError handler: 422 naming the field.
    sub = do_subscribe_push(request.auth, device_name=payload.device_name, endpoint=payload.endpoint,
                            p256dh=payload.keys.p256dh, auth=payload.keys.auth, request=request)
    return Status(201, _out(sub))


@router.delete("/push/subscriptions/{subscription_id}", response={204: None})
def unsubscribe(request: ApiRequest, subscription_id: int) -> Status:
    sub = PushSubscription.objects.filter(pk=subscription_id, user=request.auth, revoked_at__isnull=True).first()
    if sub is None:
        raise HttpError(404, "no such subscription")
    do_unsubscribe_push(request.auth, sub)
    return Status(204, None)
