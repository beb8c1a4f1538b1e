"""Every write to tips: submission, the tipster's answers, triage, routing, outcome, escalation, reminders.

Each runs in one transaction with its audit row. Events (for live queues and the on-call analyst) are
written in the same transaction through the events outbox, which wakes streams only after the commit.
Audit rows of tipster actions name the actor "tipster" and carry nothing that could identify them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import current_request_id, record, record_read
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import School
from schoolsafe.tips import attachments as files
from schoolsafe.tips.credentials import hash_passphrase, new_code, new_passphrase
from schoolsafe.tips.models import (
    Destination,
    OnCallShift,
    Outcome,
    Source,
    Status,
    Tip,
    TipAttachment,
    TipMessage,
    TipNote,
    TipRoute,
)
from schoolsafe.tips.urgency import assess, rulebook

logger = logging.getLogger(__name__)

TIPSTER = "tipster"
SYSTEM = "system"
REMIND_EVERY = dt.timedelta(hours=24)


class TipStateError(ActionError, ValueError):
    """The tip is not in a state that allows this (answering a closed tip, closing without an outcome)."""

    status = 409


@dataclass(frozen=True)
class TipInput:
    """A validated submission (see forms.TipForm), before it is stored."""

    category: str
    school: School
    what: str
    when_text: str = ""
    where_text: str = ""
    who_text: str = ""
    language: str = "en"


def _org(tip: Tip) -> str:
    return str(OrgKey.school(tip.school_id) if tip.school_id else OrgKey.district(tip.district_id))


def serving_agency_ids(school_id: int | None) -> list[int]:
    """The agencies serving a school (cached for a minute: read for every tip, changed once a year)."""
    if school_id is None:
        return []
    key = f"tips:serving-agencies:{school_id}"
    ids = cache.get(key)
    if ids is None:
        ids = list(School.agencies.through.objects.filter(school_id=school_id).values_list("agency_id", flat=True))
        cache.set(key, ids, 60)
    return ids


def analyst_audience(tip: Tip) -> list[str]:
    """Everyone who triages this tip: the district's analysts and those of the agencies serving the school."""
    keys = [f"district:{tip.district_id}:tip_analyst"]
    keys += [f"agency:{agency_id}:tip_analyst" for agency_id in serving_agency_ids(tip.school_id)]
    return keys


def _emit(kind: str, tip: Tip, audience: Iterable[str], context: dict[str, Any] | None = None, **data: Any) -> None:
    """An event about a tip, if the events capability is installed. The data never holds tip text:
    who receives the event loads the tip through the access policy. `context`: for the event's consumers
    (the notification channels: tips/notify.py)."""
    if not apps.is_installed("schoolsafe.events"):  # pragma: no cover - part of the platform; optional for tips alone
        return
    from schoolsafe.events.emit import emit_event

    payload = {"tip_id": tip.pk, "school_id": tip.school_id, "category": tip.category, "urgent": tip.urgent, **data}
    emit_event(kind, payload, audience, school=tip.school_id, subject=("tips.tip", tip.pk), context=context)


def _record_for_tipster(action: str, tip: Tip, summary: dict[str, Any]) -> None:
    """The audit row of something the tipster did, without the request id: a reverse proxy may log that
    id beside the client's address, and the two logs joined would name the tipster's connection."""
    token = current_request_id.set("")
    try:
        record(TIPSTER, action, tip, organization=_org(tip), summary=summary)
    finally:
        current_request_id.reset(token)


def _first_action(tip: Tip, now: dt.datetime) -> None:
    if tip.first_action_at is None:
        tip.first_action_at = now


def _schedule_sweep(at: dt.datetime) -> None:
    """Make sure the worker looks at tips again by `at` (escalation, deadline). A sweep already queued
    for that moment or earlier will do: every sweep queues the next one for whatever falls due next.
    The task row is written in this transaction, so it exists exactly when the tip does."""
    from schoolsafe.tips.tasks import ensure_sweep_by

    ensure_sweep_by(at)


def _store_attachments(tip: Tip, clean_files: list[files.CleanFile], message: TipMessage | None,
                       written: list[str]) -> None:
    for clean in clean_files:
        name = files.write_file(clean)
        written.append(name)
        TipAttachment.objects.create(
            tip=tip, message=message, kind=clean.kind, content_type=clean.content_type, stored_name=name,
            size=len(clean.content),
        )


def do_submit_tip(
    data: TipInput,
    clean_files: list[files.CleanFile] | None = None,
    *,
    source: str = Source.WEB,
    entered_by: Any = None,
) -> tuple[Tip, str]:
    """Store a new tip and return it with its passphrase (which is not stored and cannot be shown again)."""
    passphrase = new_passphrase()
    passphrase_hash = hash_passphrase(passphrase)
    verdict = assess(data.category, [data.what, data.when_text, data.where_text, data.who_text])
    book = rulebook()
    now = timezone.now()
    deadline = now + (book.deadline_urgent if verdict.urgent else book.deadline_normal)
    written: list[str] = []
    try:
        with transaction.atomic():
            tip = Tip.objects.create(
                code=new_code(), passphrase_hash=passphrase_hash, category=data.category, school=data.school,
                district_id=data.school.district_id, what=data.what, when_text=data.when_text,
                where_text=data.where_text, who_text=data.who_text, language=data.language, source=source,
                entered_by=entered_by if source == Source.PHONE else None, received_at=now,
                urgent=verdict.urgent, urgency_score=verdict.score, urgency_reasons=verdict.reasons, deadline=deadline,
            )
            _store_attachments(tip, clean_files or [], None, written)
            summary = {"category": tip.category, "source": source, "urgent": tip.urgent,
                       "attachments": len(clean_files or [])}
            if source == Source.PHONE:
                record(entered_by, "tips.submit_tip", tip, organization=_org(tip), summary=summary)
            else:
                _record_for_tipster("tips.submit_tip", tip, summary)
            if tip.urgent:
                # Analysts hear of an urgent tip at once; the others wait in the queue, ordered by urgency.
                _emit("tip.received", tip, analyst_audience(tip))
            _schedule_sweep(min(now + book.escalate_after, deadline) if verdict.urgent else deadline)
    except BaseException:
        files.remove_files(written)
        raise
    return tip, passphrase


def do_add_tipster_message(tip: Tip, body: str, clean_files: list[files.CleanFile] | None = None) -> TipMessage:
    """The tipster adds information or answers a question."""
    written: list[str] = []
    try:
        with transaction.atomic():
            tip = Tip.objects.select_for_update().get(pk=tip.pk)
            if not tip.is_open:
                raise TipStateError("this tip is closed")
            message = TipMessage.objects.create(tip=tip, from_tipster=True, body=body)
            _store_attachments(tip, clean_files or [], message, written)
            _record_for_tipster("tips.tipster_message", tip,
                                {"message_id": message.pk, "attachments": len(clean_files or [])})
            audience = [f"user:{tip.claimed_by_id}"] if tip.claimed_by_id else analyst_audience(tip)
            _emit("tip.tipster_replied", tip, audience)
    except BaseException:
        files.remove_files(written)
        raise
    return message


def _locked(tip: Tip) -> Tip:
    return Tip.objects.select_for_update().get(pk=tip.pk)


def do_claim_tip(user: Any, tip: Tip, assignee: Any = None) -> Tip:
    """Take the tip (or give it to `assignee`, another analyst who may change it)."""
    assignee = assignee or user
    with transaction.atomic():
        tip = _locked(tip)
        if not tip.is_open:
            raise TipStateError("this tip is closed")
        if not Tip.objects.restrict(assignee, "change").filter(pk=tip.pk).exists():
            raise TipStateError(f"{assignee} is not an analyst for this tip")
        now = timezone.now()
        previous = tip.claimed_by_id
        tip.claimed_by = assignee
        tip.claimed_at = now
        tip.status = Status.IN_REVIEW
        _first_action(tip, now)
        tip.save(update_fields=["claimed_by", "claimed_at", "status", "first_action_at"])
        record(user, "tips.claim_tip" if assignee == user else "tips.assign_tip", tip, organization=_org(tip),
               summary={"claimed_by": assignee.username, "previous": previous})
        if assignee != user:
            _emit("tip.assigned", tip, [f"user:{assignee.pk}"])
    return tip


def do_message_tipster(user: Any, tip: Tip, body: str) -> TipMessage:
    """Ask the tipster a question or tell them something; they read it with their code and passphrase."""
    with transaction.atomic():
        tip = _locked(tip)
        if not tip.is_open:
            raise TipStateError("this tip is closed")
        now = timezone.now()
        message = TipMessage.objects.create(tip=tip, from_tipster=False, author=user, body=body, created_at=now)
        _first_action(tip, now)
        if tip.status == Status.NEW:
            tip.status = Status.IN_REVIEW
        tip.save(update_fields=["first_action_at", "status"])
        record(user, "tips.message_tipster", tip, organization=_org(tip), summary={"message_id": message.pk})
    return message


def do_add_tip_note(user: Any, tip: Tip, body: str) -> TipNote:
    """An internal note, for the tip line and those the tip was routed to; never shown to the tipster."""
    with transaction.atomic():
        tip = _locked(tip)
        now = timezone.now()
        note = TipNote.objects.create(tip=tip, author=user, body=body, created_at=now)
        _first_action(tip, now)
        tip.save(update_fields=["first_action_at"])
        record(user, "tips.add_note", tip, organization=_org(tip), summary={"note_id": note.pk})
    return note


def do_flag_tip(user: Any, tip: Tip, possibly_malicious: bool) -> Tip:
    """Mark (or unmark) the tip as possibly malicious: internal only."""
    with transaction.atomic():
        tip = _locked(tip)
        tip.possibly_malicious = possibly_malicious
        tip.save(update_fields=["possibly_malicious"])
        record(user, "tips.flag_tip", tip, organization=_org(tip), summary={"possibly_malicious": possibly_malicious})
    return tip


def route_audience(tip: Tip, destination: str) -> list[str]:
    if tip.school_id is None:
        return [f"district:{tip.district_id}:tip_analyst"]
    if destination == Destination.SCHOOL:
        return [f"school:{tip.school_id}:school_admin"]
    if destination == Destination.THREAT_ASSESSMENT:
        return [f"school:{tip.school_id}:ta_member", f"district:{tip.district_id}:ta_member"]
    agency_ids = School.agencies.through.objects.filter(school_id=tip.school_id).values_list("agency_id", flat=True)
    return [f"agency:{a}:{role}" for a in agency_ids for role in ("dispatcher", "police_supervisor")] or [
        f"district:{tip.district_id}:tip_analyst"]


def do_route_tip(user: Any, tip: Tip, destination: str, note: str = "") -> TipRoute:
    """Hand the tip to the school, police dispatch or the threat-assessment team (who then see it)."""
    if destination not in Destination.values:
        raise TipStateError(f"unknown destination {destination!r}")
    with transaction.atomic():
        tip = _locked(tip)
        if not tip.is_open:
            raise TipStateError("this tip is closed")
        route, created = TipRoute.objects.get_or_create(
            tip=tip, destination=destination, defaults={"note": note, "routed_by": user})
        if not created:
            raise TipStateError(f"already routed to {route.get_destination_display().lower()}")
        case_id = _open_threat_case(user, tip) if destination == Destination.THREAT_ASSESSMENT else None
        _first_action(tip, route.routed_at)
        if tip.status == Status.NEW:
            tip.status = Status.IN_REVIEW
        tip.save(update_fields=["first_action_at", "status"])
        record(user, "tips.route_tip", tip, organization=_org(tip),
               summary={"destination": destination, **({"threat_case": case_id} if case_id else {})})
        _emit("tip.routed", tip, route_audience(tip, destination), destination=destination)
        if destination == Destination.POLICE:
            _send_to_dispatch(tip, route)
    return route


# --- Tips to police dispatch -------------------------------------------------------------
# A tip routed to police dispatch, or an urgent one nobody claimed in time while no analyst is on call, goes to
# the dispatch console (an item with the repeating tone, until a dispatcher acknowledges it) and out through the
# serving agencies' notification channels. What dispatch is sent names the tip, never its content or its code:
# no identifier of the tipster (none is kept) and nothing that leaves the platform but the category and school;
# the dispatcher opens the tip itself through the access policy (an audited read).

DISPATCH_ROLES = ("dispatcher", "police_supervisor")
REASON_ROUTED = "routed to dispatch by the tip line"


def dispatch_audience(tip: Tip) -> list[str]:
    return [f"agency:{a}:{role}" for a in serving_agency_ids(tip.school_id) for role in DISPATCH_ROLES]


def dispatch_item(tip: Tip, route: TipRoute) -> dict[str, Any]:
    """What the dispatch console shows of a tip sent to it (no tip text, no code)."""
    return {
        "tip_id": tip.pk, "url": f"/tips/{tip.pk}/", "urgent": tip.urgent,
        "category": tip.category, "category_label": str(tip.get_category_display()),
        "school": {"id": tip.school_id, "name": tip.school.name if tip.school is not None else ""},
        "received_at": tip.received_at.isoformat(), "routed_at": route.routed_at.isoformat(),
        "reason": route.note if route.routed_by_id is None else REASON_ROUTED,
        "acknowledged_at": route.acknowledged_at.isoformat() if route.acknowledged_at else None,
        "acknowledged_by": route.acknowledged_by.display_name if route.acknowledged_by is not None else None,
    }


def _send_to_dispatch(tip: Tip, route: TipRoute) -> None:
    """The console item (an event to the serving agencies' dispatch) and the notification, in the caller's
    transaction."""
    audience = dispatch_audience(tip)
    if not audience:
        return
    item = dispatch_item(tip, route)
    school = tip.school
    assert school is not None  # a tip about no school has no serving agencies, so no audience
    if apps.is_installed("schoolsafe.events"):
        from schoolsafe.events.emit import emit_event

        # The notification channels of the serving agencies word it too (tips/notify.py).
        context = {"actor": SYSTEM, "organizations": [str(OrgKey.of(a)) for a in school.agencies.all()]}
        emit_event("tip.dispatch", item, audience, school=tip.school_id, subject=("tips.tip", tip.pk),
                   context=context)


def do_acknowledge_dispatch_tip(user: Any, tip: Tip) -> TipRoute:
    """A dispatcher acknowledges a tip sent to dispatch: the consoles stop sounding for it (once; a repeat is
    answered with the first acknowledgement)."""
    with transaction.atomic():
        route = TipRoute.objects.select_for_update(of=("self",)).select_related("acknowledged_by").get(
            tip=tip, destination=Destination.POLICE)
        if route.acknowledged_at is None:
            route.acknowledged_at = timezone.now()
            route.acknowledged_by = user
            route.save(update_fields=["acknowledged_at", "acknowledged_by"])
            record(user, "tips.acknowledge_dispatch", tip, organization=_org(tip), summary={})
            _emit("tip.dispatch_acknowledged", tip, dispatch_audience(tip),
                  acknowledged_by=user.display_name, acknowledged_at=route.acknowledged_at.isoformat())
    return route


def _open_threat_case(user: Any, tip: Tip) -> int | None:
    """Open the threat-assessment case for the tip through the threats capability's own action (it
    takes plain data: the tips app and the threats app do not read each other's tables). The case
    refers to the tip by its id, never by the tipster's code. TipStateError when no team can take it."""
    if not apps.is_installed("schoolsafe.threats"):  # pragma: no cover - part of the platform
        return None
    from schoolsafe.threats.actions import ThreatError, do_open_case_from_tip

    context = "\n".join(f"{label}: {value}" for label, value in (
        ("When", tip.when_text), ("Where", tip.where_text), ("Who", tip.who_text)) if value)
    try:
        case = do_open_case_from_tip(
            user, tip_reference=f"tip-{tip.pk}", school=tip.school_id, district=tip.district_id,
            category=str(tip.get_category_display()), text=tip.what, received_at=tip.received_at, context=context)
    except ThreatError as exc:
        raise TipStateError(f"no threat-assessment case could be opened: {exc}") from None
    return case.pk


def do_close_tip(user: Any, tip: Tip, outcome: str, note: str = "") -> Tip:
    """Close the tip with its outcome (a tip never closes without one)."""
    if outcome not in Outcome.values:
        raise TipStateError("choose an outcome to close the tip")
    with transaction.atomic():
        tip = _locked(tip)
        if not tip.is_open:
            raise TipStateError("this tip is already closed")
        now = timezone.now()
        tip.status = Status.CLOSED
        tip.outcome = outcome
        tip.outcome_note = note
        tip.closed_at = now
        tip.closed_by = user
        _first_action(tip, now)
        tip.save(update_fields=["status", "outcome", "outcome_note", "closed_at", "closed_by", "first_action_at"])
        record(user, "tips.close_tip", tip, organization=_org(tip), summary={"outcome": outcome})
    return tip


def on_call_analyst(tip: Tip, now: dt.datetime) -> Any:
    """The analyst on call for the tip's district, else for an agency serving its school, else None."""
    served = School.agencies.through.objects
    # A tip about no school has no serving agencies.
    agency_ids = (served.filter(school_id=tip.school_id) if tip.school_id is not None else served.none()).values("agency_id")
    shifts = (OnCallShift.objects.filter(starts_at__lte=now, ends_at__gt=now, user__is_active=True)
              .filter(Q(district_id=tip.district_id) | Q(agency_id__in=agency_ids))
              .select_related("user").order_by("agency_id", "starts_at"))  # district shifts (agency null) first
    for shift in shifts:
        if Tip.objects.restrict(shift.user, "change").filter(pk=tip.pk).exists():
            return shift.user
    return None


def do_escalate_tip(tip_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate an urgent tip nobody claimed in time to the on-call analyst (once). True if it did."""
    now = now or timezone.now()
    due_before = now - rulebook().escalate_after
    with transaction.atomic():
        # The conditional update claims the escalation: two workers never escalate the same tip twice.
        claimed = Tip.objects.filter(
            pk=tip_id, urgent=True, claimed_by__isnull=True, escalated_at__isnull=True, received_at__lte=due_before,
        ).exclude(status=Status.CLOSED).update(escalated_at=now)
        if not claimed:
            return False
        tip = Tip.objects.select_related("school", "district").get(pk=tip_id)
        analyst = on_call_analyst(tip, now)
        if analyst is not None:
            tip.escalated_to = analyst
            tip.save(update_fields=["escalated_to"])
        audience = [f"user:{analyst.pk}"] if analyst else analyst_audience(tip)
        minutes = int(rulebook().escalate_after.total_seconds() // 60)
        # Nobody on call: the tip line promises "day and night", so the serving dispatch gets it as well.
        to_dispatch = analyst is None and bool(dispatch_audience(tip))
        record(SYSTEM, "tips.escalate_tip", tip, organization=_org(tip), summary={
            "reason": f"urgent tip not claimed within {minutes} minutes",
            "on_call": analyst.username if analyst else None,
            "audience": audience,
            **({"to_dispatch": True} if to_dispatch else {}),
        })
        # Also out through the notification channels of the district and the serving agencies (tips/notify.py).
        agencies = [str(OrgKey.of(a)) for a in tip.school.agencies.all()] if tip.school is not None else []
        _emit("tip.escalated", tip, audience, on_call=analyst.pk if analyst else None,
              context={"actor": SYSTEM, "organizations": [str(OrgKey.district(tip.district_id)), *agencies], "tip": tip,
                       "analyst": analyst})
        if to_dispatch:
            route, created = TipRoute.objects.get_or_create(tip=tip, destination=Destination.POLICE, defaults={
                "routed_by": None, "routed_at": now,
                "note": f"urgent, not claimed within {minutes} minutes, no analyst on call"})
            if created:
                record(SYSTEM, "tips.route_tip", tip, organization=_org(tip),
                       summary={"destination": Destination.POLICE, "automatic": True})
                _emit("tip.routed", tip, route_audience(tip, Destination.POLICE), destination=Destination.POLICE)
                _send_to_dispatch(tip, route)
    return True


def do_remind_overdue_tip(tip_id: int, now: dt.datetime | None = None) -> bool:
    """Remind the tip's analyst (or all its analysts) that an open tip is past its deadline; at most
    once a day per tip. True if a reminder went out."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Tip.objects.filter(pk=tip_id, deadline__lte=now).exclude(status=Status.CLOSED).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY)
        ).update(reminded_at=now)
        if not claimed:
            return False
        tip = Tip.objects.get(pk=tip_id)
        audience = [f"user:{tip.claimed_by_id}"] if tip.claimed_by_id else analyst_audience(tip)
        record(SYSTEM, "tips.remind_overdue", tip, organization=_org(tip), summary={
            "deadline": tip.deadline.isoformat(), "audience": audience})
        _emit("tip.overdue", tip, audience, deadline=tip.deadline.isoformat())
    return True


@dataclass(frozen=True)
class SweepResult:
    escalated: int
    reminded: int
    next_due: dt.datetime | None


def sweep_due_tips(now: dt.datetime | None = None) -> SweepResult:
    """Escalate and remind every tip that is due; say when the next one falls due."""
    now = now or timezone.now()
    book = rulebook()
    open_tips = Tip.objects.exclude(status=Status.CLOSED)
    to_escalate = open_tips.filter(urgent=True, claimed_by__isnull=True, escalated_at__isnull=True,
                                   received_at__lte=now - book.escalate_after).values_list("pk", flat=True)
    escalated = sum(do_escalate_tip(pk, now) for pk in list(to_escalate))
    to_remind = open_tips.filter(deadline__lte=now).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY)).values_list("pk", flat=True)
    reminded = sum(do_remind_overdue_tip(pk, now) for pk in list(to_remind))
    candidates = [
        open_tips.filter(urgent=True, claimed_by__isnull=True, escalated_at__isnull=True)
        .order_by("received_at").values_list("received_at", flat=True).first(),
        open_tips.filter(deadline__gt=now, reminded_at__isnull=True).order_by("deadline")
        .values_list("deadline", flat=True).first(),
        open_tips.filter(reminded_at__isnull=False).order_by("reminded_at").values_list("reminded_at", flat=True).first(),
    ]
    due = [c + book.escalate_after if i == 0 else (c + REMIND_EVERY if i == 2 else c)
           for i, c in enumerate(candidates) if c is not None]
    return SweepResult(escalated, reminded, min(due) if due else None)


def record_tip_read(user: Any, tip: Tip, what: str = "tip") -> None:
    """Audit a staff member's read of a tip (tips are need-to-know; every read is on record)."""
    record_read(user, tip, organization=_org(tip), summary={"read": what})
