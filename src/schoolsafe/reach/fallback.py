"""The per-person fallback: a person whom neither the event stream nor a push reached within N seconds of an
emergency alert (SCHOOLSAFE_REACH_FALLBACK_SECONDS, default 15) gets an SMS through the SMS gateway of the
school, its district or a serving agency; and, per recipient, every path tried with its time and the first
that worked (the delivery report, alerts/delivery.py).

Why per person and not per organization: in the Uvalde review teachers missed the alert; an organization's
SMS list reaches the office, not the teacher whose phone was in a drawer. Timers are rows (they survive a
restart); a worker claims one with a conditional UPDATE (`... WHERE processed_at IS NULL`), so one SMS at most.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.notifications.tasks import default_worker_id
from schoolsafe.reach.models import FallbackOutcome, FallbackTimer, PushMessage, PushStatus

logger = logging.getLogger(__name__)


def reached_by(timer: FallbackTimer) -> str:
    """The path that already reached the person: "stream" (a delivery receipt, which the installed app's
    service worker also posts), "acknowledged", "push" (a push service accepted a message to their device)."""
    from schoolsafe.alerts.reads import acknowledged
    from schoolsafe.events.models import Receipt

    if Receipt.objects.filter(event_id=timer.event_id, user_id=timer.user_id).exists():
        return "stream"
    if acknowledged(timer.alert_id, timer.user_id):
        return "acknowledged"
    if PushMessage.objects.filter(event_id=timer.event_id, subscription__user_id=timer.user_id,
                                  status=PushStatus.SENT).exists():
        return "push"
    return ""


def _sms_channel(alert: Any) -> Any:
    """The SMS gateway to use: the school's, else its district's, else a serving agency's (enabled ones)."""
    from schoolsafe.notifications.models import ChannelKind, NotificationChannel

    live = NotificationChannel.objects.filter(kind=ChannelKind.SMS, enabled=True, removed_at__isnull=True)
    school = alert.school
    return (live.filter(school_id=school.pk).order_by("pk").first()
            or live.filter(district_id=school.district_id).order_by("pk").first()
            or live.filter(agency__in=school.agencies.all()).order_by("pk").first())


def do_fire_fallback(timer_id: int, worker_id: str, now: dt.datetime) -> str | None:
    """Claim one due timer and act on it; returns its outcome, or None when another worker had it."""
    from schoolsafe.alerts.reads import alert_message, is_active
    from schoolsafe.audit.log import record
    from schoolsafe.notifications.models import Delivery, DeliveryStatus, Notification
    from schoolsafe.notifications.tasks import kick

    with transaction.atomic():
        taken = FallbackTimer.objects.filter(pk=timer_id, processed_at__isnull=True, due_at__lte=now).update(
            processed_at=now, claimed_by=worker_id[:100])
        if not taken:
            return None
        timer = FallbackTimer.objects.select_related("alert__school", "user", "event").get(pk=timer_id)
        path = reached_by(timer)
        delivery = None
        if path:
            outcome = FallbackOutcome.REACHED
        elif not is_active(timer.alert):
            outcome = FallbackOutcome.ENDED
        elif not timer.user.phone.strip():
            outcome = FallbackOutcome.NO_PHONE
        elif (channel := _sms_channel(timer.alert)) is None:
            outcome = FallbackOutcome.NO_GATEWAY
        else:
            outcome = FallbackOutcome.SMS
            subject, text = alert_message("alert.raised", timer.event.data)
            notification = Notification.objects.create(
                event_kind="alert.raised", subject=subject[:200], text=text, payload={"alert": timer.event.data},
                organizations=[channel.organization_key], actor_name=f"worker:{worker_id}"[:150], created_at=now)
            delivery = Delivery.objects.create(
                notification=notification, channel=channel, recipient=timer.user.phone.strip(),
                status=DeliveryStatus.PENDING, next_attempt_at=now, created_at=now, updated_at=now)
            transaction.on_commit(partial(kick, [delivery.pk]))
        FallbackTimer.objects.filter(pk=timer_id).update(outcome=outcome, reached_by=path, delivery=delivery)
        if outcome != FallbackOutcome.REACHED:
            record(f"worker:{worker_id}"[:150], "reach.fallback", timer.alert,
                   organization=OrgKey.school(timer.alert.school_id),
                   summary={"user": timer.user_id, "outcome": str(outcome), "delivery": delivery and delivery.pk})
    if outcome in (FallbackOutcome.NO_PHONE, FallbackOutcome.NO_GATEWAY):
        logger.warning("alert %s: user %s was not reached and has no SMS fallback (%s)", timer.alert_id,
                       timer.user_id, outcome)
    return str(outcome)


def run_due_fallbacks(now: dt.datetime | None = None, worker_id: str | None = None, limit: int = 500) -> int:
    """Act on every fallback timer due at `now`; returns how many this call processed."""
    now = now or timezone.now()
    worker_id = worker_id or default_worker_id()
    ids = list(FallbackTimer.objects.filter(processed_at__isnull=True, due_at__lte=now).order_by("due_at", "pk")
               .values_list("pk", flat=True)[:limit])
    done = 0
    for timer_id in ids:
        try:
            done += do_fire_fallback(timer_id, worker_id, now) is not None
        except Exception:
            logger.exception("fallback timer %s not processed; will retry", timer_id)
    return done


def reach_paths(alert: Any, event: Any, user_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per recipient: every path this app tried ({path, at (ISO), ok, detail}); the alert's delivery report
    orders them and names the first that worked (alerts/delivery.py)."""
    from schoolsafe.events.models import Receipt

    tried: dict[int, list[dict[str, Any]]] = {pk: [] for pk in user_ids}
    if event is not None:
        for user_id, at in Receipt.objects.filter(event=event, user_id__in=user_ids).values_list("user_id",
                                                                                                 "received_at"):
            tried[user_id].append({"path": "stream", "at": at, "ok": True, "detail": "delivery receipt"})
        for message in (PushMessage.objects.filter(event=event, subscription__user_id__in=user_ids)
                        .select_related("subscription")):
            ok = message.status == PushStatus.SENT
            tried[message.subscription.user_id].append({
                "path": "push", "at": message.sent_at or message.created_at, "ok": ok,
                "detail": f"{message.subscription.device_name}: {message.get_status_display()}"})
    for timer in FallbackTimer.objects.filter(alert=alert, user_id__in=user_ids).select_related("delivery"):
        if timer.outcome == FallbackOutcome.SMS and timer.delivery is not None:
            d = timer.delivery
            tried[timer.user_id].append({"path": "sms", "at": d.delivered_at or timer.processed_at,
                                         "ok": d.status == "delivered", "detail": f"SMS: {d.status}"})
        elif timer.outcome in (FallbackOutcome.NO_PHONE, FallbackOutcome.NO_GATEWAY):
            tried[timer.user_id].append({"path": "sms", "at": timer.processed_at, "ok": False,
                                         "detail": timer.get_outcome_display()})
    return {user_id: [{**p, "at": p["at"].isoformat() if p["at"] else None} for p in paths]
            for user_id, paths in tried.items()}
