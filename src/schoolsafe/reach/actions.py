"""Writes of the reach app: a person subscribes or unsubscribes a device for Web Push, and an alert event
queues one push message per live device of every person it reaches (sent after the commit, tasks.py)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.events.audience import users_for_keys
from schoolsafe.events.models import Event
from schoolsafe.reach.models import FallbackTimer, PushMessage, PushStatus, PushSubscription

logger = logging.getLogger(__name__)


class PushError(ActionError, ValueError):
    """A subscription the API refuses (422), naming the field."""

    status = 422

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field)


# The alert events a device is woken for: the same ones a locked screen gets (alerts/serialize.py).
PUSHED_KINDS = ("alert.raised", "alert.action_changed", "alert.escalated", "alert.all_clear", "alert.cancelled")
TITLES = {"alert.raised": "{action}", "alert.action_changed": "NOW {action}", "alert.escalated": "ESCALATED: {action}",
          "alert.all_clear": "ALL CLEAR: {action}", "alert.cancelled": "CANCELLED: {action}"}


def _check_endpoint(endpoint: str) -> str:
    """The push service's URL, as a webhook's is checked: https, a public internet host (the server posts to
    it; an endpoint naming this machine or a private network would let a browser aim our requests there)."""
    from schoolsafe.notifications.validation import check_url

    endpoint = (endpoint or "").strip()
    if not endpoint.startswith(("https://", "http://")) or len(endpoint) > 1000:
        raise PushError("endpoint must be the push service's https URL from PushSubscription.endpoint",
                          field="endpoint")
    try:
        return check_url(endpoint)
    except ValueError as exc:
        raise PushError(f"endpoint: {exc}", field="endpoint") from None


def do_subscribe_push(actor: Any, *, device_name: str, endpoint: str, p256dh: str, auth: str,
                      request: Any = None) -> PushSubscription:
    """Register (or renew) the device `endpoint` of `actor` for Web Push; an earlier live subscription with the
    same endpoint (the same browser subscribing again, or another person on a shared computer) is replaced."""
    endpoint = _check_endpoint(endpoint)
    device_name = (device_name or "").strip()[:100] or "device"
    if not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100:
        raise PushError("keys.p256dh and keys.auth are required (PushSubscription.toJSON())", field="keys")
    now = timezone.now()
    with transaction.atomic():
        PushSubscription.objects.filter(endpoint=endpoint, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason="replaced by a new subscription of this device")
        subscription = PushSubscription.objects.create(
            user=actor, device_name=device_name, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now)
        record(actor, "reach.subscribe_push", subscription, summary={"device": device_name})
    return subscription


def do_unsubscribe_push(actor: Any, subscription: PushSubscription, reason: str = "removed by its owner") -> bool:
    """Stop pushing to this device; returns False when it was already revoked."""
    with transaction.atomic():
        done = PushSubscription.objects.filter(pk=subscription.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason[:200])
        if done:
            record(actor, "reach.unsubscribe_push", subscription, summary={"device": subscription.device_name})
    return bool(done)


def push_headline(event: Event, silent: bool) -> dict[str, Any]:
    """What a push carries: the alert's headline only (SRP action, directive, school, exercise marking, id). The
    reason, the location and who raised it load after sign-in (RFC 8030 messages pass through a third party)."""
    data = event.data or {}
    action = str(data.get("action") or "alert").upper()
    title = TITLES.get(event.kind, "{action}").format(action=action)
    if data.get("exercise"):
        title = f"EXERCISE: {title}"
    school = data.get("school") or {}
    return {"kind": event.kind, "event": event.pk, "alert": data.get("id"), "title": title,
            "action": data.get("action"), "directive": data.get("directive"), "tier": data.get("tier"),
            "exercise": bool(data.get("exercise")), "school": {"id": school.get("id"), "name": school.get("name")},
            "silent": silent}


def _silent(event: Event) -> bool:
    """SRP, Alyssa's Law (docs/alerts.md, "Silence and sound"): a lockdown, or anything at a school while a
    lockdown is in force there, is shown without sound."""
    from schoolsafe.alerts.reads import lockdown_in_force

    data = event.data or {}
    if data.get("action") == "lockdown" and data.get("tier") != "assist":
        return True
    return event.school_id is not None and lockdown_in_force(event.school_id)


def fallback_seconds() -> int:
    """Seconds a person has to be reached by the stream or a push before the SMS fallback (default 15)."""
    return int(getattr(settings, "SCHOOLSAFE_REACH_FALLBACK_SECONDS", 15))


def push_consumer(event: Event, context: dict[str, Any]) -> None:
    """The events app's consumer (reach/apps.py): queue the pushes of an alert event."""
    queue_alert_push(event)


def queue_alert_push(event: Event) -> list[int]:
    """In the alert action's transaction: one push message per live device of every person the event's audience
    reaches (the access rule of events), sent right after the commit and retried by the worker; for an emergency
    alert raised, one fallback timer per person (fallback.py). A failure here never stops the alert (savepoint;
    logged): the in-app alert is what must not fail."""
    if event.kind not in PUSHED_KINDS:
        return []
    try:
        with transaction.atomic():
            now = timezone.now()
            data = event.data or {}
            alert_id = data.get("id") if event.subject_type == "alerts.alert" else None
            users = list(users_for_keys(event.audience).values_list("pk", flat=True))
            if event.kind == "alert.raised" and alert_id and data.get("tier") == "emergency":
                raised_by = (data.get("raised_by") or {}).get("id")
                due = now + dt.timedelta(seconds=fallback_seconds())
                FallbackTimer.objects.bulk_create([
                    FallbackTimer(alert_id=alert_id, event=event, user_id=pk, created_at=now, due_at=due)
                    for pk in users if pk != raised_by])
            subscriptions = list(PushSubscription.objects.filter(user__in=users, revoked_at__isnull=True)
                                 .values_list("pk", flat=True))
            if not subscriptions:
                return []
            payload = push_headline(event, _silent(event))
            messages = PushMessage.objects.bulk_create([
                PushMessage(subscription_id=pk, event=event, alert_id=alert_id, payload=payload, created_at=now,
                            next_attempt_at=now, status=PushStatus.PENDING) for pk in subscriptions])
    except Exception:
        logger.exception("%s %s: no push messages queued", event.kind, event.pk)
        return []
    from schoolsafe.reach.tasks import kick

    ids = [m.pk for m in messages if m.pk is not None]
    if not ids:  # backends that do not return ids from bulk_create
        ids = list(PushMessage.objects.filter(event=event).values_list("pk", flat=True))
    transaction.on_commit(partial(kick, ids))
    return ids
