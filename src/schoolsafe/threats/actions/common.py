"""What every threat-assessment action shares: its errors, the input checks, loading a case to change it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, overload

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.threats import policies
from schoolsafe.threats.models import (
    Case,
    Decision,
    HowReceived,
    Mode,
    PersonKind,
    Stage,
    Team,
    TeamMember,
)


class ThreatError(ActionError):
    """A request an action refuses; `field` names the input at fault (empty when none)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message, field)


class WorkflowError(ThreatError):
    """A CSTAG step recorded out of order: skipped, repeated, or after closure."""

    status = 409


class NotFound(ThreatError):
    """The object does not exist for this actor (need-to-know): answered as 404."""

    status = 404


# --- input helpers -------------------------------------------------------------------------------


def _text(value: Any, field: str, label: str, *, required: bool = True, max_length: int = 20000) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ThreatError(f"{label} is required.", field)
    if len(text) > max_length:
        raise ThreatError(f"{label} is too long (at most {max_length} characters).", field)
    return text


def _choice(value: Any, field: str, label: str, choices: Any, *, required: bool = True) -> str:
    value = "" if value is None else str(value).strip()
    if not value and not required:
        return ""
    valid = [c for c in choices.values if c]
    if value not in valid:
        raise ThreatError(f"{label} must be one of: {', '.join(valid)}.", field)
    return value


@overload
def _moment(value: Any, field: str, label: str, *, required: Literal[True] = ...) -> dt.datetime: ...
@overload
def _moment(value: Any, field: str, label: str, *, required: bool) -> dt.datetime | None: ...
def _moment(value: Any, field: str, label: str, *, required: bool = True) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            raise ThreatError(f"{label} is required.", field)
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None and parse_date(value) is not None:
            parsed = dt.datetime.combine(parse_date(value), dt.time(12, 0))  # type: ignore[arg-type]
        if parsed is None:
            raise ThreatError(f"{label} is not a date and time (YYYY-MM-DD HH:MM).", field)
        value = parsed
    if not isinstance(value, dt.datetime):
        raise ThreatError(f"{label} is not a date and time.", field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    # A clock a few minutes fast on a phone should not refuse a report; a date next week is a typo.
    if value > timezone.now() + dt.timedelta(hours=1):
        raise ThreatError(f"{label} is in the future.", field)
    return value


def _day(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value or "").strip())
    if parsed is None:
        raise ThreatError(f"{label} is not a date (YYYY-MM-DD).", field)
    return parsed


INTAKE_FIELDS = ("person_kind", "person_name", "person_grade", "person_details", "reporter_name",
                 "reporter_contact", "occurred_at", "how_received", "behaviour", "mode", "targets",
                 "witnesses", "context")


def check_intake(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate intake fields; returns the clean values. `partial`: only the fields given."""
    unknown = set(data) - set(INTAKE_FIELDS)
    if unknown:
        raise ThreatError(f"Unknown field: {sorted(unknown)[0]}.", sorted(unknown)[0])
    clean: dict[str, Any] = {}

    def given(name: str) -> bool:
        return not partial or name in data

    if given("person_kind"):
        clean["person_kind"] = _choice(data.get("person_kind"), "person_kind", "Who the person of concern is", PersonKind)
    if given("person_name"):
        clean["person_name"] = _text(data.get("person_name"), "person_name", "The person of concern's name", max_length=200)
    for name, label, length in (("person_grade", "Grade", 10), ("reporter_name", "Reporter", 200),
                                ("reporter_contact", "Reporter's contact", 200)):
        if given(name):
            clean[name] = _text(data.get(name), name, label, required=False, max_length=length)
    for name, label in (("person_details", "About the person"), ("targets", "Intended targets"),
                        ("witnesses", "Witnesses"), ("context", "Context")):
        if given(name):
            clean[name] = _text(data.get(name), name, label, required=False)
    if given("occurred_at"):
        clean["occurred_at"] = _moment(data.get("occurred_at"), "occurred_at", "The date and time of the behaviour")
    if given("how_received"):
        clean["how_received"] = _choice(data.get("how_received"), "how_received", "How it was received", HowReceived)
    if given("behaviour"):
        clean["behaviour"] = _text(data.get("behaviour"), "behaviour", "The exact words or behaviour")
    if given("mode"):
        clean["mode"] = _choice(data.get("mode"), "mode", "The mode", Mode)
    return clean


# --- access helpers ------------------------------------------------------------------------------


def _case_for_change(actor: Any, case: Case | int) -> Case:
    """The case, locked for this transaction, if the actor may change it; NotFound otherwise."""
    case_id = case.pk if isinstance(case, Case) else case
    if not Case.objects.restrict(actor, "change").filter(pk=case_id).exists():
        raise NotFound("Case not found.")
    return Case.objects.select_for_update().select_related("team").get(pk=case_id)


def _require_stage(case: Case, *stages: str, doing: str) -> None:
    if case.stage in stages:
        return
    if case.stage == Stage.CLOSED:
        raise WorkflowError(f"Case {case.number} is closed; {doing} is no longer possible.", "stage")
    expected = " or ".join(Stage(s).label for s in stages)
    raise WorkflowError(
        f"Case {case.number} is at {case.get_stage_display()}; {doing} belongs to {expected}. "
        "CSTAG steps are recorded in order and none may be skipped.", "stage",
    )


def _decide(actor: Any, case: Case, step: str, outcome: str, rationale: str, details: dict[str, Any]) -> Decision:
    decision = Decision.objects.create(case=case, step=step, outcome=outcome, rationale=rationale,
                                       details=details, decided_by=actor)
    record(actor, f"threats.decision_{step}", case, organization=case.organization,
           summary={"case": case.number, "decision": decision.pk, "outcome": outcome})
    return decision


def _live_member(team: Team, user: Any) -> TeamMember | None:
    seat = policies.seat_on(user, team.pk)
    return TeamMember.objects.get(pk=seat["pk"]) if seat else None
