"""The delivery report: for one alert, every intended recipient, when it reached them, when they acknowledged.

"Intended" is whoever the audience of the alert's `alert.raised` event reaches now (users_for_keys); "reached"
is that person's delivery receipt for that event, or their acknowledgement of the alert when no receipt came
(someone who acknowledged has the alert: a phone that acknowledged from a notification or an app that sends no
receipts must not be counted as "not received"); "acknowledged" is their acknowledgement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Min, Prefetch

from schoolsafe.accounts.models import Membership
from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.serialize import iso, person
from schoolsafe.events.audience import users_for_keys
from schoolsafe.events.models import Event, Receipt

# The paths an app tried to reach people by, beyond the page's stream (the reach app: push, SMS fallback), for
# the report: (alert, event, user ids) -> {user id: [{path, at (ISO), ok, detail}, ...]}. An app
# adds one from its AppConfig.ready (alerts/reads.py, register_path_reporter): alerts imports none of them.
PathReporter = Callable[[Any, Any, list[int]], dict[int, list[dict[str, Any]]]]
PATH_REPORTERS: list[PathReporter] = []


def _paths(alert: Alert, event: Event | None, user_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per recipient: every path tried, in time order, from every reporter, and the first that worked."""
    tried: dict[int, list[dict[str, Any]]] = {pk: [] for pk in user_ids}
    for reporter in PATH_REPORTERS:
        for user_id, found in reporter(alert, event, user_ids).items():
            tried[user_id].extend(found)
    result = {}
    for user_id, paths in tried.items():
        paths.sort(key=lambda p: p["at"] or "")
        first = next((p for p in paths if p["ok"]), None)
        result[user_id] = {"paths": paths, "reached_by": first["path"] if first else None}
    return result


def raised_event(alert: Alert) -> Event | None:
    return (
        Event.objects.filter(kind="alert.raised", subject_type="alerts.alert", subject_id=str(alert.pk))
        .order_by("id")
        .first()
    )


def _membership_key(m: Membership) -> str:
    return f"{m.organization_kind}:{m.school_id or m.district_id or m.agency_id}:{m.role}"


def delivery_report(alert: Alert) -> dict[str, Any]:
    """The report as JSON: recipients (by name) with receipt and acknowledgement times, and the counts."""
    from schoolsafe.alerts.actions import alert_audience

    event = raised_event(alert)
    audience = list(event.audience) if event is not None else alert_audience(alert)
    keys = set(audience)
    users = (
        users_for_keys(audience)
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.order_by("role")))
        .order_by("full_name", "username", "pk")
    )
    # Reached: the person's first receipt of any of the alert's events (a page opened after the raise gets the
    # alert with its later events), as the timeline's "Delivered to N of M" counts it: one page, one figure.
    receipts: dict[int, Any] = {}
    if event is not None:
        receipts = dict(
            Receipt.objects.filter(event__subject_type="alerts.alert", event__subject_id=str(alert.pk))
            .values("user_id").annotate(first=Min("received_at")).values_list("user_id", "first")
        )
    acks = dict(alert.acknowledgements.values_list("user_id", "at"))
    recipients: list[dict[str, Any]] = []
    for user in users:
        roles = sorted({m.role for m in user.memberships.all() if _membership_key(m) in keys})
        if f"user:{user.pk}" in keys and user.pk == alert.raised_by_id:
            roles.append("raised_by")
        receipt, ack = receipts.get(user.pk), acks.get(user.pk)
        recipients.append({
            "user": person(user),
            "roles": roles,
            "received_at": iso(receipt or ack),
            "received_by": "receipt" if receipt else "acknowledgement" if ack else None,
            "acknowledged_at": iso(ack),
        })
    # Every path tried per person (stream, push, SMS fallback: reach/fallback.py) and the first that worked.
    paths = _paths(alert, event, [r["user"]["id"] for r in recipients])
    for r in recipients:
        r.update(paths[r["user"]["id"]])
    received = sum(1 for r in recipients if r["received_at"])
    acknowledged = sum(1 for r in recipients if r["acknowledged_at"])
    return {
        "alert": alert.pk,
        "event": event.pk if event is not None else None,
        "recipients": recipients,
        "counts": {
            "intended": len(recipients),
            "received": received,
            "acknowledged": acknowledged,
            "not_received": len(recipients) - received,
            "not_acknowledged": len(recipients) - acknowledged,
        },
    }
