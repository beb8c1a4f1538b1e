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

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from schoolsafe.alerts.audience import DISPATCH_ROLES, audience_keys, escalation_keys
from schoolsafe.alerts.models import (
    DEFAULT_ACK_TIMEOUT_SECONDS,
    DEFAULT_ESCALATE_TO,
    Acknowledgement,
    Alert,
    AlertMessage,
    EscalationPolicy,
    EscalationTimer,
    IdempotencyKey,
    RoomRelease,
    RoomStatus,
    Status,
    ThreatLocation,
    Tier,
)
from schoolsafe.alerts.notify import notify_alert
from schoolsafe.alerts.serialize import alert_json, iso, person
from schoolsafe.audit.log import record
from schoolsafe.core.models import School
from schoolsafe.core.policy import memberships
from schoolsafe.events.emit import emit_event
from schoolsafe.reach.actions import queue_alert_push


class AlertStateError(ValueError):
    """The alert is not in a state that allows this (an all clear for a cancelled alert)."""


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
    return audience_keys(alert.tier, alert.school_id, alert.school.district_id, agency_ids, alert.raised_by_id)


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
    idempotency: tuple[str, str] | None = None,
    panic_credential: Any = None,
) -> tuple[Alert, dict[str, Any]]:
    """Raise an alert: the alert, its `alert.raised` event, its escalation timer (emergency tier), the audit
    row and, when the client sent one, its idempotency key with the response, in one transaction.

    Returns the alert and its JSON. Raises IdempotencyKeyTaken when a concurrent request with the same key
    committed first (nothing of this one is kept).
    """
    # Read before the transaction: on SQLite a write transaction holds the database's write lock.
    escalation = escalation_for(school) if tier == Tier.EMERGENCY else None
    now = timezone.now()
    alert = Alert(
        school_id=school.id, action=action, tier=tier, reason=reason, building=building, room=room,
        location_text=location_text, latitude=latitude, longitude=longitude, exercise=exercise, hazard=hazard,
        strategy=strategy, evacuate_to=evacuate_to, raised_by=actor, raised_at=now, panic_credential=panic_credential,
    )
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
            body = alert_json(alert, school_name=school.name)
            if escalation is not None:
                EscalationTimer.objects.create(
                    alert=alert, escalate_to_role=escalation.escalate_to_role,
                    timeout_seconds=escalation.timeout_seconds, created_at=now,
                    due_at=now + dt.timedelta(seconds=escalation.timeout_seconds),
                    repeats_left=escalation.repeats, repeat_every_seconds=escalation.repeat_every_seconds,
                )
            audience = audience_keys(tier, school.id, school.district_id, school.agency_ids, actor.pk)
            # Web Push to every device of the people it reaches (reach/actions.py), sent after the commit.
            queue_alert_push(emit_event("alert.raised", body, audience, school=school.id, subject=alert))
            notify_alert("alert.raised", body, school.id, school.district_id, school.agency_ids, actor)
            record(actor, "alerts.raise_alert", alert, organization=f"school:{school.id}",
                   summary={"action": action, "tier": tier, "exercise": exercise,
                            "escalation_seconds": escalation.timeout_seconds if escalation else None,
                            **({"panic_credential": panic_credential.prefix} if panic_credential else {})})
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
            record(actor, "alerts.acknowledge_alert", alert, organization=f"school:{alert.school_id}",
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
            raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}")
        alert.refresh_from_db()
        _cancel_timers(alert, now, status)
        body = alert_json(alert)
        agency_ids = school_agency_ids(alert.school_id)
        queue_alert_push(emit_event(kind, body, alert_audience(alert, agency_ids), school=alert.school_id,
                                    subject=alert))
        notify_alert(kind, body, alert.school_id, alert.school.district_id, agency_ids, actor)
        record(actor, audit_action, alert, organization=f"school:{alert.school_id}", summary=extra or None)
    return alert


class AllClearRefused(PermissionError):
    """The actor may give an all clear, but not this one alone (SRP lockdown release); `field` names what is
    missing."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


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
                              "officer's concurrence", "alert")
    return fields


def do_give_all_clear(actor: Any, alert: Alert, *, on_behalf_of: str = "", concurring_officer: str = "") -> Alert:
    """End an active alert with the all clear. For a real lockdown the SRP release rule applies (see
    check_all_clear_authority); rooms are then released one by one in person (do_release_room)."""
    extra = check_all_clear_authority(actor, alert, on_behalf_of=on_behalf_of, concurring_officer=concurring_officer)
    extra = {k: v for k, v in extra.items() if v}
    return _end_alert(actor, alert, Status.ALL_CLEAR, "alert.all_clear", "alerts.all_clear_alert", extra)


def do_cancel_alert(actor: Any, alert: Alert) -> Alert:
    """Withdraw an active alert raised by mistake."""
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
        audience = sorted(set(alert_audience(alert, agency_ids)) | set(escalation_keys(timer.escalate_to_role,
                                                                                          agency_ids)))
        body = {**alert_json(alert), "escalation": {"timer": timer.pk, "to_role": timer.escalate_to_role,
                                                    "timeout_seconds": timer.timeout_seconds,
                                                    "attempt": timer.attempt, "repeats_left": timer.repeats_left,
                                                    "due_at": iso(timer.due_at), "fired_at": iso(now)}}
        queue_alert_push(emit_event("alert.escalated", body, audience, school=alert.school_id, subject=alert))
        # Escalation (issue 5): also out through the email, webhook and SMS channels of those concerned.
        notify_alert("alert.escalated", body, alert.school_id, alert.school.district_id, agency_ids,
                     f"worker:{worker_id}"[:150])
        record(f"worker:{worker_id}"[:150], "alerts.escalate_alert", alert, organization=f"school:{alert.school_id}",
               summary={"timer": timer.pk, "to_role": timer.escalate_to_role,
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
        raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}")


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
        record(actor, "alerts.report_room_status", alert, organization=f"school:{alert.school_id}",
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
        record(actor, "alerts.post_alert_message", alert, organization=f"school:{alert.school_id}",
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
        raise AlertStateError(f"only a lockdown is released room by room; a {alert.action} ends by announcement")
    now = timezone.now()
    cleaned = " ".join(room.split())
    try:
        with transaction.atomic():
            current = Alert.objects.select_for_update().filter(pk=alert.pk).values_list("status", flat=True).first()
            if current not in (Status.ACTIVE, Status.ALL_CLEAR):
                raise AlertStateError(f"the alert is already {current.replace('_', ' ') if current else 'gone'}")
            release = RoomRelease.objects.create(alert=alert, room=cleaned, room_key=room_key(cleaned)[:60],
                                                 released_by=actor, released_at=now, note=note)
            body = {"alert": alert.pk, "school": alert.school_id, **room_release_json(release)}
            emit_event("alert.room_released", body, alert_audience(alert), school=alert.school_id, subject=alert)
            record(actor, "alerts.release_room", alert, organization=f"school:{alert.school_id}",
                   summary={"room_release": release.pk, "room": cleaned})
    except IntegrityError:
        earlier = RoomRelease.objects.select_related("released_by").filter(
            alert=alert, room_key=room_key(cleaned)[:60]).first()
        who = (earlier.released_by.full_name or earlier.released_by.username) if earlier else "someone"
        at = f" at {earlier.released_at:%H:%M:%S}" if earlier else ""
        raise RoomAlreadyReleased(f"room {cleaned} was already released by {who}{at}") from None
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
        emit_event("alert.threat_location", body, audience, school=alert.school_id, subject=alert)
        notify_alert("alert.threat_location", {**alert_json(alert), "threat_location": body}, alert.school_id,
                     alert.school.district_id, agency_ids, actor)
        record(actor, "alerts.report_threat_location", alert, organization=f"school:{alert.school_id}",
               summary={"threat_location": report.pk, "location": location})
    return report
