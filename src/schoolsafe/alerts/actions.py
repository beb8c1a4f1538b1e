"""Every write to alerts: raise, acknowledge, all clear, cancel, and the firing of escalation timers.

Each runs in one transaction with its audit row and its event row (the outbox: `emit_event` writes the
event in the caller's transaction and wakes the streams only after the commit), so a client told "201"
knows the alert and the event that announces it are both durable, and a crash leaves neither half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import memberships
from schoolsafe.alerts.audience import DISPATCH_ROLES, audience_keys, escalation_keys, escalation_role
from schoolsafe.alerts.models import (
    DEFAULT_ACK_TIMEOUT_SECONDS,
    DEFAULT_ESCALATE_TO,
    PROTECTIVENESS,
    Acknowledgement,
    Action,
    Alert,
    AlertMessage,
    AlertReport,
    DispatchLevel,
    DrillWindow,
    EscalationPolicy,
    EscalationTimer,
    IdempotencyKey,
    RoomRelease,
    RoomStatus,
    Status,
    ThreatLocation,
    Tier,
)
from schoolsafe.alerts.notify import notice_context
from schoolsafe.alerts.routing import Route, route_for
from schoolsafe.alerts.serialize import alert_json, iso, person
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import School
from schoolsafe.events.emit import emit_event

DEFAULT_MERGE_WINDOW_SECONDS = 600
DEFAULT_FLOOD_PER_MINUTE = 5


class AlertStateError(ActionError, ValueError):
    """The alert is not in a state that allows this (an all clear for a cancelled alert); `field` is what
    the API names: the alert's `status`, the `action` asked for, the `room` released."""

    status = 409


class IdempotencyKeyTaken(Exception):
    """Another request with the same Idempotency-Key committed first; replay its answer."""


@dataclass(frozen=True)
class SchoolRef:
    """What raising an alert needs to know about its school, loaded in one query."""

    id: int
    name: str
    district_id: int
    agency_ids: tuple[int, ...] = field(default_factory=tuple)


def load_school(school_id: int) -> SchoolRef | None:
    """The school with the ids of its district and serving agencies (one query, LEFT JOIN), or None."""
    rows = list(School.objects.filter(pk=school_id).values_list("name", "district_id", "agencies__id"))
    if not rows:
        return None
    name, district_id = rows[0][0], rows[0][1]
    return SchoolRef(school_id, name, district_id, tuple(sorted({r[2] for r in rows if r[2] is not None})))


def school_agency_ids(school_id: int) -> list[int]:
    return sorted(School.agencies.through.objects.filter(school_id=school_id).values_list("agency_id", flat=True))


def alert_audience(alert: Alert, agency_ids: Iterable[int] | None = None) -> list[str]:
    """The audience keys of `alert` (tier, school, district, serving agencies, the person who raised it)."""
    if agency_ids is None:
        agency_ids = school_agency_ids(alert.school_id)
    return audience_keys(alert.reach, alert.school_id, alert.school.district_id, agency_ids, alert.raised_by_id,
                         alert.dispatch)


@dataclass(frozen=True)
class Escalation:
    """The escalation rule in force for one school (after school-over-agency resolution)."""

    timeout_seconds: int
    escalate_to_role: str
    repeats: int = 0
    repeat_every_seconds: int = 0


def escalation_for(school: SchoolRef) -> Escalation | None:
    """The school's policy if it has one; else the strictest (shortest) of its agencies' policies; else the
    default (30 s, police supervisor). None when the deciding policy is switched off."""
    policies = list(
        EscalationPolicy.objects.filter(Q(school_id=school.id) | Q(agency_id__in=school.agency_ids))
        .values_list("school_id", "enabled", "ack_timeout_seconds", "escalate_to_role", "repeats",
                     "repeat_every_seconds")
    )
    own = [p for p in policies if p[0] is not None]
    # (school_id, enabled, ack_timeout_seconds, escalate_to_role, repeats, repeat_every_seconds)
    chosen: tuple[int | None, bool, int, str, int, int]
    if own:
        chosen = own[0]
    else:
        enabled = [p for p in policies if p[1]]
        if not enabled and policies:
            return None
        # Several agencies may serve one school: the most urgent of their rules wins.
        chosen = min(enabled, key=lambda p: p[2]) if enabled else (None, True, DEFAULT_ACK_TIMEOUT_SECONDS,
                                                                   DEFAULT_ESCALATE_TO, 0, 0)
    if not chosen[1]:
        return None
    return Escalation(chosen[2], chosen[3], chosen[4], chosen[5])


def merge_window_seconds() -> int:
    """How long after its latest report an active incident takes new raises at its school as reports."""
    return int(getattr(settings, "SCHOOLSAFE_ALERT_MERGE_WINDOW", DEFAULT_MERGE_WINDOW_SECONDS))


def flood_per_minute() -> int:
    """Reports from one person or one device in a minute beyond which they are flagged as a possible flood."""
    return int(getattr(settings, "SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE", DEFAULT_FLOOD_PER_MINUTE))


def more_protective(action: str, tier: str, than_action: str, than_tier: str) -> bool:
    """Whether `action` (raised at `tier`) asks more of people than `than_action` (PROTECTIVENESS), or the
    same action for a wider audience (an emergency after an assist call)."""
    return (PROTECTIVENESS[action], tier == Tier.EMERGENCY) > (PROTECTIVENESS[than_action], than_tier == Tier.EMERGENCY)


def _joinable_incident(school_id: int, exercise: bool, now: dt.datetime) -> Alert | None:
    """The school's active incident (as real, or as much an exercise, as this raise) with a report within the
    merge window; none when the window is 0 (merging off)."""
    window = merge_window_seconds()
    if window <= 0:
        return None
    cutoff = now - dt.timedelta(seconds=window)
    return (
        Alert.objects.filter(school_id=school_id, status=Status.ACTIVE, exercise=exercise)
        .annotate(last_report=Max("reports__at"))
        .filter(Q(last_report__gte=cutoff) | Q(raised_at__gte=cutoff))
        .select_related("school", "raised_by")
        .order_by("-raised_at", "-id")
        .first()
    )


def _is_flood(actor: Any, device: str, now: dt.datetime) -> bool:
    """Whether this report goes beyond the flood rate of its person or its device (the reports of the last
    minute, this one included). Flagged, never refused: a real emergency must always get through."""
    since = now - dt.timedelta(seconds=60)
    who = Q(reported_by=actor) | (Q(device=device) if device else Q(pk__in=[]))
    return AlertReport.objects.filter(who, at__gt=since).count() + 1 > flood_per_minute()


def report_json(report: AlertReport) -> dict[str, Any]:
    return {"id": report.pk, "action": report.action, "by": person(report.reported_by), "building": report.building,
            "room": report.room, "note": report.note, "at": iso(report.at), "merged": report.merged,
            "flood": report.flood}


def _flag_flood(actor: Any, alert: Alert, report: AlertReport, now: dt.datetime) -> None:
    first = Alert.objects.filter(pk=alert.pk, flood_flagged_at__isnull=True).update(flood_flagged_at=now)
    alert.flood_flagged_at = alert.flood_flagged_at or now
    record(actor, "alerts.flag_flood", alert, organization=OrgKey.school(alert.school_id),
           summary={"report": report.pk, "device": report.device, "first": bool(first),
                    "per_minute": flood_per_minute()})


def do_raise_alert(
    actor: Any,
    school: SchoolRef,
    *,
    action: str,
    tier: str = Tier.EMERGENCY,
    reason: str = "",
    building: str = "",
    room: str = "",
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    exercise: bool = False,
    hazard: str = "",
    strategy: str = "",
    evacuate_to: str = "",
    device: str = "",
    idempotency: tuple[str, str] | None = None,
    panic_credential: Any = None,
) -> tuple[Alert, dict[str, Any]]:
    """Raise an alert, or report to the incident already open at the school (one incident per emergency).

    - No active incident with a report within the merge window: a new incident with its first report, its
      `alert.raised` event and notification, its escalation timer (when its route escalates: routing.py).
    - An incident with the same or a less protective action: an additional report (`alert.report` event to
      the incident's audience); no new escalation timer, event to dispatch or notification.
    - An incident with a less protective action than this one: the incident changes to this action
      (do_change_action), with a new notification and a CAP Update.
    A person or device reporting beyond the flood rate is flagged on the incident, never refused.

    Returns the incident and its JSON (with `merged` and `report`). Raises IdempotencyKeyTaken when a
    concurrent request with the same key committed first (nothing of this one is kept).
    """
    # Read before the transaction: on SQLite a write transaction holds the database's write lock.
    route = route_for(action, tier=tier, exercise=exercise, school_id=school.id, district_id=school.district_id,
                      agency_ids=school.agency_ids)
    escalation = escalation_for(school) if route.escalate else None
    now = timezone.now()
    if panic_credential is not None and not device:
        # Which device raised it (a stolen credential's raises must be traceable to it).
        device = f"panic button {panic_credential.prefix}: {panic_credential.device}"
    try:
        with transaction.atomic():
            # Two raises at one school at once must not open two incidents: PostgreSQL serializes them on the
            # school's row; SQLite's IMMEDIATE transactions already admit one writer at a time.
            list(School.objects.select_for_update().filter(pk=school.id).values_list("pk", flat=True))
            incident = _joinable_incident(school.id, exercise, now)
            flood = _is_flood(actor, device, now)
            report = AlertReport(action=action, reported_by=actor, device=device[:100], building=building, room=room,
                                 note=reason[:500], at=now, merged=incident is not None, flood=flood)
            if incident is None:
                alert, body = _open_incident(actor, school, route, escalation, now, report, dict(
                    action=action, tier=tier, reason=reason, building=building, room=room, location_text=location_text,
                    latitude=latitude, longitude=longitude, exercise=exercise, hazard=hazard, strategy=strategy,
                    evacuate_to=evacuate_to, panic_credential=panic_credential,
                ))
            elif more_protective(action, route.tier, incident.action, incident.reach):
                alert = incident
                report.alert = alert
                report.save(force_insert=True)
                alert = _change_action(actor, alert, action, hazard=hazard, strategy=strategy, evacuate_to=evacuate_to,
                                       reason=reason, route=route, school=school, now=now, report=report, tier=tier)
                body = alert_json(alert, school_name=school.name)
            else:
                alert = incident
                report.alert = alert
                report.save(force_insert=True)
                body = alert_json(alert, school_name=school.name)
                agency_ids = list(school.agency_ids)
                emit_event("alert.report", {"alert": alert.pk, "school": school.id, **report_json(report)},
                           alert_audience(alert, agency_ids), school=school.id, subject=alert)
                record(actor, "alerts.report_alert", alert, organization=OrgKey.school(school.id),
                       summary={"report": report.pk, "action": action, "flood": flood})
            if flood:
                _flag_flood(actor, alert, report, now)
            body = {**body, "flood_flagged_at": iso(alert.flood_flagged_at), "merged": report.merged,
                    "report": report_json(report)}
            if idempotency is not None:
                key, request_hash = idempotency
                IdempotencyKey.objects.create(
                    user=actor, key=key, request_hash=request_hash, response_status=201, response_body=body,
                    created_at=now,
                )
    except IntegrityError:
        if idempotency is not None and IdempotencyKey.objects.filter(user=actor, key=idempotency[0]).exists():
            raise IdempotencyKeyTaken(idempotency[0]) from None
        raise
    return alert, body


def _start_timer(alert: Alert, escalation: Escalation, now: dt.datetime) -> EscalationTimer:
    return EscalationTimer.objects.create(
        alert=alert, escalate_to_role=escalation.escalate_to_role,
        timeout_seconds=escalation.timeout_seconds, created_at=now,
        due_at=now + dt.timedelta(seconds=escalation.timeout_seconds),
        repeats_left=escalation.repeats, repeat_every_seconds=escalation.repeat_every_seconds,
    )


def _open_incident(actor: Any, school: SchoolRef, route: Route, escalation: Escalation | None, now: dt.datetime,
                   report: AlertReport, fields: dict[str, Any]) -> tuple[Alert, dict[str, Any]]:
    alert = Alert(school_id=school.id, reach=route.tier, dispatch=route.dispatch, raised_by=actor, raised_at=now,
                  **fields)
    alert.save(force_insert=True)
    report.alert = alert
    report.save(force_insert=True)
    body = alert_json(alert, school_name=school.name)
    if escalation is not None:
        _start_timer(alert, escalation, now)
    audience = audience_keys(alert.reach, school.id, school.district_id, school.agency_ids, actor.pk, alert.dispatch)
    # Consumed in this transaction: Web Push to every device of the people it reaches (reach/actions.py) and
    # the notification channels of the organizations concerned (alerts/notify.py), sent after the commit.
    emit_event("alert.raised", body, audience, school=school.id, subject=alert, context=notice_context(
        school.id, school.district_id, _notified_agencies(alert, school.agency_ids, route), actor))
    record(actor, "alerts.raise_alert", alert, organization=OrgKey.school(school.id),
           summary={"action": alert.action, "tier": alert.tier, "reach": alert.reach, "exercise": alert.exercise,
                    "dispatch": alert.dispatch,
                    "escalation_seconds": escalation.timeout_seconds if escalation else None,
                    **({"panic_credential": alert.panic_credential.prefix} if alert.panic_credential else {})})
    return alert, body


def _notified_agencies(alert: Alert, agency_ids: Iterable[int], route: Route) -> list[int]:
    """The agencies whose channels get the alert: those serving the school when it is routed to dispatch,
    and the route's others (fire, EMS)."""
    serving = list(agency_ids) if alert.dispatch != DispatchLevel.NONE else []
    return sorted(set(serving) | set(route.also_notify))


def _change_action(actor: Any, alert: Alert, action: str, *, hazard: str, strategy: str, evacuate_to: str,
                   reason: str, route: Route, school: SchoolRef, now: dt.datetime,
                   report: AlertReport | None = None, tier: str = Tier.EMERGENCY) -> Alert:
    previous = {"action": alert.action, "tier": alert.tier, "reach": alert.reach, "dispatch": alert.dispatch}
    old_audience = set(alert_audience(alert, school.agency_ids))
    alert.action, alert.hazard, alert.strategy, alert.evacuate_to = action, hazard, strategy, evacuate_to
    if more_protective(action, route.tier, action, alert.reach):
        alert.reach = route.tier
    if tier == Tier.EMERGENCY:
        # A call for staff help that became a Lockdown is an emergency now.
        alert.tier = Tier.EMERGENCY
    if _DISPATCH_RANK[route.dispatch] > _DISPATCH_RANK[alert.dispatch]:
        alert.dispatch = route.dispatch
    alert.save(update_fields=["action", "hazard", "strategy", "evacuate_to", "tier", "reach", "dispatch"])
    started = False
    if route.escalate and not alert.exercise:
        pending = EscalationTimer.objects.filter(alert=alert, fired_at__isnull=True, cancelled_at__isnull=True).exists()
        # Dispatch that has acknowledged the incident has it; the change reaches them as an update.
        if not pending and not _acknowledged_by_dispatch(alert, school.agency_ids):
            escalation = escalation_for(school)
            if escalation is not None:
                _start_timer(alert, escalation, now)
                started = True
    body = {**alert_json(alert, school_name=school.name), "previous_action": previous["action"],
            "changed_at": iso(now), "changed_by": person(actor), "change_reason": reason,
            "report": report_json(report) if report is not None else None}
    # Everyone the incident reached before, and everyone the new action reaches.
    audience = sorted(old_audience | set(alert_audience(alert, school.agency_ids)))
    emit_event("alert.action_changed", body, audience, school=school.id, subject=alert, context=notice_context(
        school.id, school.district_id, _notified_agencies(alert, school.agency_ids, route), actor))
    record(actor, "alerts.change_action", alert, organization=OrgKey.school(school.id),
           summary={"from": previous, "to": {"action": action, "tier": alert.tier, "reach": alert.reach,
                                             "dispatch": alert.dispatch},
                    "escalation_started": started})
    return alert


# Keyed by DispatchLevel, read with an alert's stored `dispatch` (its text, equal to the member).
_DISPATCH_RANK: dict[str, int] = {
    DispatchLevel.NONE: 0, DispatchLevel.INFORMED: 1, DispatchLevel.PRIORITY: 2, DispatchLevel.TOP: 3,
}


def do_change_action(actor: Any, alert: Alert, action: str, *, hazard: str = "", strategy: str = "",
                     evacuate_to: str = "", reason: str = "") -> Alert:
    """Change an active incident to a more protective action (Secure → Lockdown, Lockdown → Evacuate, any →
    Shelter with its hazard): its route applies from now on (a wider audience, dispatch, an escalation timer
    unless dispatch has acknowledged), with an `alert.action_changed` event, a notification and a CAP
    Update. Raises AlertStateError when the alert has ended or the action is not more protective."""
    school = load_school(alert.school_id)
    assert school is not None
    route = route_for(action, tier=Tier.EMERGENCY, exercise=alert.exercise, school_id=school.id,
                      district_id=school.district_id, agency_ids=school.agency_ids)
    now = timezone.now()
    with transaction.atomic():
        _require_active(alert)
        alert.refresh_from_db()
        if not more_protective(action, route.tier, alert.action, alert.reach):
            raise AlertStateError(f"{action} is not more protective than the incident's {alert.action}; "
                                  "give the all clear and raise the new action instead", "action")
        return _change_action(actor, alert, action, hazard=hazard, strategy=strategy, evacuate_to=evacuate_to,
                              reason=reason, route=route, school=school, now=now)


def _cancel_timers(alert: Alert, now: dt.datetime, reason: str) -> int:
    # Conditional, like the worker's claim: whichever of the two commits first wins the row.
    return EscalationTimer.objects.filter(alert=alert, fired_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now, cancel_reason=reason
    )


def is_dispatch_for(user: Any, agency_ids: Iterable[int]) -> bool:
    """Whether `user` is police dispatch (or a supervisor) of one of the agencies serving the school."""
    agencies = set(agency_ids)
    return any(m.role in DISPATCH_ROLES and m.agency_id in agencies for m in memberships(user))


def do_acknowledge_alert(actor: Any, alert: Alert) -> tuple[Acknowledgement, bool]:
    """Record that `actor` has the alert. A second acknowledgement changes nothing (returns created=False).
    An acknowledgement by dispatch of a serving agency stops the escalation timer."""
    agency_ids = school_agency_ids(alert.school_id)
    by_dispatch = is_dispatch_for(actor, agency_ids)
    now = timezone.now()
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(alert=alert, user=actor, at=now)
            stopped = _cancel_timers(alert, now, "acknowledged by dispatch") if by_dispatch else 0
            emit_event(
                "alert.acknowledged",
                {"alert": alert.pk, "school": alert.school_id, "user": person(actor), "at": iso(now),
                 "by_dispatch": by_dispatch},
                alert_audience(alert, agency_ids), school=alert.school_id, subject=alert,
            )
            record(actor, "alerts.acknowledge_alert", alert, organization=OrgKey.school(alert.school_id),
                   summary={"by_dispatch": by_dispatch, "escalation_stopped": bool(stopped)})
    except IntegrityError:
        return Acknowledgement.objects.get(alert=alert, user=actor), False
    return ack, True


def _end_alert(actor: Any, alert: Alert, status: str, kind: str, audit_action: str,
               extra: dict[str, str] | None = None) -> Alert:
    now = timezone.now()
    stamp, by = ("all_clear_at", "all_clear_by") if status == Status.ALL_CLEAR else ("cancelled_at", "cancelled_by")
    with transaction.atomic():
        # Conditional: two people giving the all clear at once produce one transition, not two.
        changed = Alert.objects.filter(pk=alert.pk, status=Status.ACTIVE).update(
            status=status, **{stamp: now, by: actor}, **(extra or {})
        )
        if not changed:
            current = Alert.objects.filter(pk=alert.pk).values_list("status", flat=True).first()
            raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}", "status")
        alert.refresh_from_db()
        _cancel_timers(alert, now, status)
        body = alert_json(alert)
        agency_ids = school_agency_ids(alert.school_id)
        emit_event(kind, body, alert_audience(alert, agency_ids), school=alert.school_id, subject=alert,
                   context=notice_context(alert.school_id, alert.school.district_id, agency_ids, actor))
        record(actor, audit_action, alert, organization=OrgKey.school(alert.school_id), summary=extra or None)
    return alert


class AllClearRefused(ActionError, PermissionError):
    """The actor may give an all clear, but not this one alone (SRP lockdown release); `field` names what is
    missing."""

    status = 403

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field)


# SRP lockdown release: "law enforcement releases a lockdown". The school resource officer and police
# supervisors are law enforcement; a school (or district) administrator releases with an officer's
# concurrence; dispatch is not on scene and records the incident commander's all clear.
LAW_ENFORCEMENT_ROLES = frozenset({"officer", "police_supervisor"})
ADMINISTRATOR_ROLES = frozenset({"school_admin", "district_director"})


def all_clear_requirement(actor: Any, alert: Alert) -> str:
    """What `actor` must record to give this alert's all clear: "" (nothing: not a real lockdown, or law
    enforcement), "concurring_officer" (an administrator), "on_behalf_of" (dispatch), or "refused"."""
    if alert.action != "lockdown" or alert.exercise:
        return ""
    from schoolsafe.alerts.policies import reaches_school

    school = load_school(alert.school_id)
    if school is None:  # pragma: no cover - the alert's school is protected
        return "refused"
    if reaches_school(actor, school, LAW_ENFORCEMENT_ROLES):
        return ""
    if reaches_school(actor, school, ADMINISTRATOR_ROLES):
        return "concurring_officer"
    if reaches_school(actor, school, DISPATCH_ROLES):
        return "on_behalf_of"
    return "refused"


def check_all_clear_authority(actor: Any, alert: Alert, *, on_behalf_of: str = "",
                              concurring_officer: str = "") -> dict[str, str]:
    """Who may end this alert and what must be recorded with it: the fields for the alert. Hold, Secure,
    Shelter, Evacuate and any exercise end by announcement (any command role); a real lockdown only by law
    enforcement, an administrator naming the officer who concurred, or dispatch on behalf of a named incident
    commander. Raises AllClearRefused."""
    fields = {"all_clear_on_behalf_of": on_behalf_of.strip(), "all_clear_concurring_officer": concurring_officer.strip()}
    needed = all_clear_requirement(actor, alert)
    if needed == "concurring_officer" and not fields["all_clear_concurring_officer"]:
        raise AllClearRefused(
            "concurring_officer: a real lockdown is released by law enforcement; an administrator gives the all "
            "clear only with the officer who concurred (name and badge number)", needed)
    if needed == "on_behalf_of" and not fields["all_clear_on_behalf_of"]:
        raise AllClearRefused(
            "on_behalf_of: a dispatcher cannot end a real lockdown by themselves; it is released by law "
            "enforcement on scene. Record the all clear on behalf of the incident commander (give their name "
            "and unit)", needed)
    if needed == "refused":
        raise AllClearRefused("a real lockdown is released by law enforcement, or by an administrator with an "
                              "officer's concurrence", "")
    return fields


def do_give_all_clear(actor: Any, alert: Alert, *, on_behalf_of: str = "", concurring_officer: str = "") -> Alert:
    """End an active alert with the all clear. For a real lockdown the SRP release rule applies (see
    check_all_clear_authority); rooms are then released one by one in person (do_release_room)."""
    extra = check_all_clear_authority(actor, alert, on_behalf_of=on_behalf_of, concurring_officer=concurring_officer)
    extra = {k: v for k, v in extra.items() if v}
    return _end_alert(actor, alert, Status.ALL_CLEAR, "alert.all_clear", "alerts.all_clear_alert", extra)


def cancel_needs_confirmation(actor: Any, alert: Alert, agency_ids: Iterable[int] | None = None) -> bool:
    """Whether a cancel by `actor` is only a request: a real lockdown routed to dispatch, cancelled by anyone
    but police dispatch of a serving agency. The person who raised it may be under duress (a "cancel" typed
    with an intruder in the room), so dispatch calls back before the incident closes."""
    if alert.action != Action.LOCKDOWN or alert.exercise or alert.dispatch == DispatchLevel.NONE:
        return False
    return not is_dispatch_for(actor, school_agency_ids(alert.school_id) if agency_ids is None else agency_ids)


def do_cancel_alert(actor: Any, alert: Alert) -> Alert:
    """Withdraw an active alert raised by mistake; for a real lockdown cancelled by anyone but dispatch,
    record the request instead (do_request_cancel) and keep the incident active."""
    if cancel_needs_confirmation(actor, alert):
        return do_request_cancel(actor, alert)
    return _end_alert(actor, alert, Status.CANCELLED, "alert.cancelled", "alerts.cancel_alert")


def do_request_cancel(actor: Any, alert: Alert) -> Alert:
    """Record that `actor` asks to cancel the incident: it stays active (and its escalation keeps running)
    until dispatch confirms by call-back (do_confirm_cancel). `alert.cancel_requested` goes to the
    incident's audience and into its CAP sequence as an Update; staff are told nothing to stand down on."""
    now = timezone.now()
    agency_ids = school_agency_ids(alert.school_id)
    with transaction.atomic():
        _require_active(alert)
        changed = Alert.objects.filter(pk=alert.pk, status=Status.ACTIVE, cancel_requested_at__isnull=True).update(
            cancel_requested_at=now, cancel_requested_by=actor)
        if not changed:
            raise AlertStateError("a cancellation is already requested; police dispatch must confirm it", "status")
        alert.refresh_from_db()
        emit_event("alert.cancel_requested", alert_json(alert), alert_audience(alert, agency_ids),
                   school=alert.school_id, subject=alert)
        record(actor, "alerts.request_cancel", alert, organization=OrgKey.school(alert.school_id))
    return alert


def do_confirm_cancel(actor: Any, alert: Alert, reached: str) -> Alert:
    """Dispatch confirms a requested cancel after calling back: `reached` says whom they reached and how.
    Ends the incident as cancelled. Raises AlertStateError when no cancellation was requested."""
    if alert.cancel_requested_at is None:
        raise AlertStateError("no cancellation was requested; cancel the alert instead", "status")
    with transaction.atomic():
        Alert.objects.filter(pk=alert.pk, status=Status.ACTIVE).update(cancel_confirmation=reached[:300])
        return _end_alert(actor, alert, Status.CANCELLED, "alert.cancelled", "alerts.cancel_alert")


def do_fire_escalation_timer(timer_id: int, worker_id: str, now: dt.datetime | None = None) -> bool:
    """Fire one due escalation timer if no one has fired or cancelled it: mark the alert escalated, write
    the audit row and the `alert.escalated` event to the alert's audience and the escalation role, and,
    when the policy asks for repeats, the timer of the next escalation.

    The claim is a conditional UPDATE in the same transaction as the firing: of two workers, the second
    finds fired_at already set and does nothing; if the firing fails, the claim rolls back with it and the
    next scan tries again. A timer whose alert has ended or that dispatch has acknowledged meanwhile (an
    acknowledgement committed while the previous escalation was making this timer) is cancelled instead.
    Returns whether this call fired it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = EscalationTimer.objects.filter(
            pk=timer_id, fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
        ).update(fired_at=now, claimed_by=worker_id[:64])
        if not claimed:
            return False
        timer = EscalationTimer.objects.select_related("alert__school", "alert__raised_by").get(pk=timer_id)
        alert = timer.alert
        agency_ids = school_agency_ids(alert.school_id)
        stale = "alert ended" if alert.status != Status.ACTIVE else (
            "acknowledged by dispatch" if _acknowledged_by_dispatch(alert, agency_ids) else "")
        if stale:
            EscalationTimer.objects.filter(pk=timer.pk).update(fired_at=None, claimed_by="", cancelled_at=now,
                                                                cancel_reason=stale)
            return False
        Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=now)
        alert.escalated_at = alert.escalated_at or now
        # Only to people who may open the alert (an escalation they cannot see is no escalation): a role outside
        # the alert's audience falls back to the police supervisor.
        to_role = escalation_role(timer.escalate_to_role)
        reached = escalation_keys(to_role, agency_ids, alert.dispatch)
        audience = sorted(set(alert_audience(alert, agency_ids)) | set(reached))
        body = {**alert_json(alert), "escalation": {"timer": timer.pk, "to_role": to_role,
                                                    "policy_role": timer.escalate_to_role,
                                                    "timeout_seconds": timer.timeout_seconds,
                                                    "attempt": timer.attempt, "repeats_left": timer.repeats_left,
                                                    "due_at": iso(timer.due_at), "fired_at": iso(now)}}
        # Also out through the email, webhook and SMS channels of those concerned (alerts/notify.py).
        emit_event("alert.escalated", body, audience, school=alert.school_id, subject=alert, context=notice_context(
            alert.school_id, alert.school.district_id, agency_ids, f"worker:{worker_id}"[:150]))
        record(f"worker:{worker_id}"[:150], "alerts.escalate_alert", alert, organization=OrgKey.school(alert.school_id),
               summary={"timer": timer.pk, "to_role": to_role, "policy_role": timer.escalate_to_role,
                        "timeout_seconds": timer.timeout_seconds, "attempt": timer.attempt,
                        "late_by_ms": round((now - timer.due_at).total_seconds() * 1000)})
        if timer.repeats_left > 0:
            # Still nobody from dispatch: escalate again later, through the same channels, until they do.
            EscalationTimer.objects.create(
                alert=alert, escalate_to_role=timer.escalate_to_role, timeout_seconds=timer.timeout_seconds,
                attempt=timer.attempt + 1, repeats_left=timer.repeats_left - 1,
                repeat_every_seconds=timer.repeat_every_seconds, created_at=now,
                due_at=now + dt.timedelta(seconds=timer.repeat_every_seconds),
            )
    return True


def _acknowledged_by_dispatch(alert: Alert, agency_ids: Iterable[int]) -> bool:
    return Acknowledgement.objects.filter(
        alert=alert, user__memberships__role__in=DISPATCH_ROLES, user__memberships__agency_id__in=list(agency_ids)
    ).exists()


def do_prune_idempotency_keys(older_than: dt.timedelta) -> int:
    """Forget Idempotency-Keys older than `older_than` (at least 24 h: the promise made to clients)."""
    cutoff = timezone.now() - max(older_than, dt.timedelta(hours=24))
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _require_active(alert: Alert) -> None:
    # Locked inside the caller's transaction (PostgreSQL: the row lock the all clear's UPDATE also takes; SQLite
    # admits one writer anyway): a report that races the all clear lands before it or is refused, never after.
    current = Alert.objects.select_for_update().filter(pk=alert.pk).values_list("status", flat=True).first()
    if current != Status.ACTIVE:
        raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}", "status")


def do_report_room_status(
    actor: Any,
    alert: Alert,
    *,
    room: str,
    status: str,
    present: int | None = None,
    injured: int | None = None,
    missing: list[str] | None = None,
    extra: list[str] | None = None,
    note: str = "",
    staff: int | None = None,
    visitors: int | None = None,
) -> RoomStatus:
    """Record a room's (or group's) report while the alert is active, with its `alert.room_status` event to
    the alert's audience and the audit row. Earlier reports of the room are kept; the latest one counts.
    Raises AlertStateError once the alert has ended."""
    now = timezone.now()
    with transaction.atomic():
        _require_active(alert)
        report = RoomStatus.objects.create(
            alert=alert, room=room, status=status, present=present, injured=injured, missing=list(missing or []),
            extra=list(extra or []), note=note, staff=staff, visitors=visitors, reported_by=actor, reported_at=now,
        )
        from schoolsafe.alerts.rooms import room_status_json

        # The event reaches the whole audience: counts, not the students' names (alerts/rooms.py).
        body = {"alert": alert.pk, "school": alert.school_id, **room_status_json(report, names=False)}
        emit_event("alert.room_status", body, alert_audience(alert), school=alert.school_id, subject=alert)
        # The audit row carries counts, not the students' names (the report itself holds those).
        record(actor, "alerts.report_room_status", alert, organization=OrgKey.school(alert.school_id),
               summary={"room_status": report.pk, "room": room, "status": status, "present": present,
                        "staff": staff, "visitors": visitors, "injured": injured, "missing": len(report.missing),
                        "extra": len(report.extra)})
    return report


def do_post_alert_message(actor: Any, alert: Alert, text: str) -> AlertMessage:
    """Add a message to the incident's thread between dispatch and the school, with its `alert.message`
    event to the alert's audience and the audit row. Raises AlertStateError once the alert has ended."""
    now = timezone.now()
    with transaction.atomic():
        _require_active(alert)
        message = AlertMessage.objects.create(alert=alert, author=actor, text=text, at=now)
        body = {"alert": alert.pk, "school": alert.school_id, "id": message.pk, "author": person(actor),
                "text": text, "at": iso(now)}
        emit_event("alert.message", body, alert_audience(alert), school=alert.school_id, subject=alert)
        record(actor, "alerts.post_alert_message", alert, organization=OrgKey.school(alert.school_id),
               summary={"message": message.pk, "length": len(text)})
    return message


class RoomAlreadyReleased(AlertStateError):
    """The room was released before (by someone else, or a second tap)."""


def do_release_room(actor: Any, alert: Alert, room: str, note: str = "") -> RoomRelease:
    """Release one room from a lockdown, in person (SRP: law enforcement releases a lockdown room by room),
    with its `alert.room_released` event to the alert's audience and the audit row. Allowed while the
    lockdown is active (officers sweep and release as they go) and after its all clear; not for other actions
    or a cancelled alert. Raises AlertStateError, RoomAlreadyReleased (a room is released once)."""
    from schoolsafe.alerts.rooms import room_key, room_release_json

    if alert.action != "lockdown":
        raise AlertStateError(f"only a lockdown is released room by room; a {alert.action} ends by announcement",
                              "room")
    now = timezone.now()
    cleaned = " ".join(room.split())
    try:
        with transaction.atomic():
            current = Alert.objects.select_for_update().filter(pk=alert.pk).values_list("status", flat=True).first()
            if current not in (Status.ACTIVE, Status.ALL_CLEAR):
                raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}",
                                      "room")
            release = RoomRelease.objects.create(alert=alert, room=cleaned, room_key=room_key(cleaned)[:60],
                                                 released_by=actor, released_at=now, note=note)
            body = {"alert": alert.pk, "school": alert.school_id, **room_release_json(release)}
            emit_event("alert.room_released", body, alert_audience(alert), school=alert.school_id, subject=alert)
            record(actor, "alerts.release_room", alert, organization=OrgKey.school(alert.school_id),
                   summary={"room_release": release.pk, "room": cleaned})
    except IntegrityError:
        earlier = RoomRelease.objects.select_related("released_by").filter(
            alert=alert, room_key=room_key(cleaned)[:60]).first()
        who = (earlier.released_by.full_name or earlier.released_by.username) if earlier else "someone"
        at = f" at {earlier.released_at:%H:%M:%S}" if earlier else ""
        raise RoomAlreadyReleased(f"room {cleaned} was already released by {who}{at}", "room") from None
    return release


def dispatch_keys(agency_ids: Iterable[int]) -> list[str]:
    """Police dispatch and supervisors of every agency serving the school."""
    return sorted({key for role in DISPATCH_ROLES for key in escalation_keys(role, agency_ids)})


def do_report_threat_location(actor: Any, alert: Alert, location: str, note: str = "") -> ThreatLocation:
    """Report where the threat is ("shots heard near the gym") during an active alert: an
    `alert.threat_location` event at top priority to police dispatch of every serving agency (whatever the
    alert's routing) and to the alert's audience, out through the notification channels, and the audit row.
    Raises AlertStateError once the alert has ended."""
    from schoolsafe.alerts.rooms import threat_location_json

    now = timezone.now()
    agency_ids = school_agency_ids(alert.school_id)
    with transaction.atomic():
        _require_active(alert)
        report = ThreatLocation.objects.create(alert=alert, location=location, note=note, reported_by=actor,
                                               reported_at=now)
        body = {"alert": alert.pk, "school": alert.school_id, "action": alert.action, "exercise": alert.exercise,
                "priority": "top", **threat_location_json(report)}
        audience = sorted(set(alert_audience(alert, agency_ids)) | set(dispatch_keys(agency_ids)))
        emit_event("alert.threat_location", body, audience, school=alert.school_id, subject=alert,
                   context=notice_context(alert.school_id, alert.school.district_id, agency_ids, actor,
                                          body={**alert_json(alert), "threat_location": body}))
        record(actor, "alerts.report_threat_location", alert, organization=OrgKey.school(alert.school_id),
               summary={"threat_location": report.pk, "location": location})
    return report


MAX_DRILL_WINDOW = dt.timedelta(hours=12)


class DrillWindowError(ActionError, ValueError):
    """A drill window that cannot be registered (it ends before it starts, is too long, or is over)."""

    status = 422


def do_register_drill_window(actor: Any, school: SchoolRef, *, starts_at: dt.datetime, ends_at: dt.datetime,
                             contact: str) -> DrillWindow:
    """Register a drill at the school: exercises raised in the window reach dispatch, as exercises
    (alerts/routing.py). Audited; `drill.window_registered` goes to the school's administrators, its SRO
    and dispatch of the serving agencies."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DrillWindowError("starts_at, ends_at: give a time zone offset")
    if ends_at <= starts_at:
        raise DrillWindowError("ends_at: must be after starts_at")
    if ends_at - starts_at > MAX_DRILL_WINDOW:
        raise DrillWindowError(f"ends_at: a drill window lasts at most {MAX_DRILL_WINDOW.seconds // 3600} hours")
    now = timezone.now()
    if ends_at <= now:
        raise DrillWindowError("ends_at: the window is already over")
    with transaction.atomic():
        window = DrillWindow.objects.create(school_id=school.id, starts_at=starts_at, ends_at=ends_at, contact=contact,
                                            registered_by=actor, registered_at=now)
        audience = [f"school:{school.id}:school_admin", f"school:{school.id}:officer",
                    *(f"agency:{a}:{role}" for a in school.agency_ids for role in sorted(DISPATCH_ROLES))]
        emit_event("alerts.drill_window", {"id": window.pk, "school": school.id, "starts_at": iso(starts_at),
                                           "ends_at": iso(ends_at), "contact": contact}, audience, school=school.id,
                   subject=window)
        record(actor, "alerts.register_drill_window", window, organization=OrgKey.school(school.id),
               summary={"starts_at": iso(starts_at), "ends_at": iso(ends_at)})
    return window
