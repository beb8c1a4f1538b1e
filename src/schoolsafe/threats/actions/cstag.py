"""The CSTAG steps, in order: evaluate, classify, respond, safety evaluation, safety plan, follow-up, close."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.threats.actions.common import (
    NotFound,
    ThreatError,
    WorkflowError,
    _case_for_change,
    _choice,
    _day,
    _decide,
    _live_member,
    _moment,
    _require_stage,
    _text,
)
from schoolsafe.threats.models import (
    Case,
    CaseNotification,
    Classification,
    ClosureOutcome,
    Decision,
    FollowUp,
    NotificationRecipient,
    SafetyPlan,
    Stage,
    Step,
)


@transaction.atomic
def do_record_evaluation(
    actor: Any, case: Case | int, *, person_interview: str, witness_interviews: str = "",
    target_interviews: str = "", records_reviewed: str = "", rationale: str,
) -> Decision:
    """Step 1: the team evaluated the threat (interviews and records)."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.EVALUATE, doing="the evaluation (step 1)")
    details = {
        "person_interview": _text(person_interview, "person_interview",
                                  "The interview of the person of concern (or why it could not happen)"),
        "witness_interviews": _text(witness_interviews, "witness_interviews", "Witness interviews", required=False),
        "target_interviews": _text(target_interviews, "target_interviews", "Interviews of the targets", required=False),
        "records_reviewed": _text(records_reviewed, "records_reviewed", "Records reviewed", required=False),
    }
    rationale = _text(rationale, "rationale", "The team's summary of the evaluation")
    case.stage = Stage.CLASSIFY
    case.save(update_fields=["stage"])
    return _decide(actor, case, Step.EVALUATE, "evaluated", rationale, details)


@transaction.atomic
def do_classify_threat(
    actor: Any, case: Case | int, *, classification: str, rationale: str, resolution: str = "", in_doubt: bool = False,
) -> Decision:
    """Step 2: transient (resolved, with how) or substantive. When in doubt, the threat is substantive."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.CLASSIFY, doing="deciding transient or substantive (step 2)")
    if classification not in ("transient", "substantive"):
        raise ThreatError("Classification must be transient or substantive.", "classification")
    rationale = _text(rationale, "rationale", "Why the team decided so")
    if classification == "transient" and in_doubt:
        # CSTAG: "If in doubt, treat the threat as substantive."
        raise ThreatError("When in doubt, the threat is substantive (CSTAG step 2).", "classification")
    now = timezone.now()
    case.classified_at = now
    details: dict[str, Any]
    if classification == "transient":
        case.resolution = _text(resolution, "resolution", "How the transient threat was resolved")
        case.classification = Classification.TRANSIENT
        case.stage = Stage.RESOLVED
        details = {"resolution": case.resolution}
    else:
        case.classification = Classification.SUBSTANTIVE
        case.stage = Stage.RESPOND
        details = {"in_doubt": bool(in_doubt)}
    case.save(update_fields=["classified_at", "resolution", "classification", "stage"])
    return _decide(actor, case, Step.CLASSIFY, classification, rationale, details)


def _notification(actor: Any, case: Case, data: dict[str, Any], index: int | None = None) -> CaseNotification:
    prefix = f"notifications.{index}." if index is not None else ""
    return CaseNotification.objects.create(
        case=case,
        recipient=_choice(data.get("recipient"), f"{prefix}recipient", "Who was notified (kind)", NotificationRecipient),
        name=_text(data.get("name"), f"{prefix}name", "The name of who was notified", max_length=200),
        method=_text(data.get("method"), f"{prefix}method", "How they were notified", max_length=100),
        notified_at=_moment(data.get("notified_at") or timezone.now(), f"{prefix}notified_at", "When they were notified"),
        notified_by=actor,
        notes=_text(data.get("notes"), f"{prefix}notes", "Notes", required=False),
    )


@transaction.atomic
def do_record_notification(actor: Any, case: Case | int, **data: Any) -> CaseNotification:
    """Record that a target, a target's parents or the person's parents were told about the threat."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.RESPOND, Stage.SAFETY_EVALUATION, Stage.SAFETY_PLAN, Stage.MONITORING,
                   doing="recording a notification")
    notification = _notification(actor, case, data)
    record(actor, "threats.notification_recorded", case, organization=case.organization,
           summary={"case": case.number, "recipient": notification.recipient})
    return notification


@transaction.atomic
def do_record_substantive_response(
    actor: Any, case: Case | int, *, seriousness: str, protective_actions: str, rationale: str,
    notifications: Iterable[dict[str, Any]] = (),
) -> Decision:
    """Step 3: serious or very serious; the protective actions taken and who was notified."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.RESPOND, doing="the response to a substantive threat (step 3)")
    if seriousness not in (Classification.SERIOUS, Classification.VERY_SERIOUS):
        raise ThreatError("Seriousness must be serious or very_serious.", "seriousness")
    protective_actions = _text(protective_actions, "protective_actions", "The protective actions taken")
    rationale = _text(rationale, "rationale", "Why the team decided so")
    created = [_notification(actor, case, dict(n), i) for i, n in enumerate(notifications)]
    if not case.notifications.exists():
        raise ThreatError("Record who was notified: the intended targets and the parents (at least one "
                          "notification).", "notifications")
    case.classification = seriousness
    case.stage = Stage.SAFETY_EVALUATION if seriousness == Classification.VERY_SERIOUS else Stage.SAFETY_PLAN
    case.save(update_fields=["classification", "stage"])
    return _decide(actor, case, Step.RESPOND, seriousness, rationale, {
        "protective_actions": protective_actions, "notifications": [n.pk for n in created],
    })


@transaction.atomic
def do_record_safety_evaluation(
    actor: Any, case: Case | int, *, mental_health_assessment: str, law_enforcement_investigation: str,
    interim_measures: str, rationale: str,
) -> Decision:
    """Step 4 (very serious threats): mental-health assessment, law-enforcement investigation, interim measures.

    The assessment field is what the whole team may read (who assessed, when, the conclusion for safety);
    the clinical detail belongs in clinical notes, which only the mental-health members read.
    """
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.SAFETY_EVALUATION, doing="the safety evaluation (step 4)")
    details = {
        "mental_health_assessment": _text(mental_health_assessment, "mental_health_assessment",
                                          "The mental-health assessment (who, when, conclusion for safety)"),
        "law_enforcement_investigation": _text(law_enforcement_investigation, "law_enforcement_investigation",
                                               "The law-enforcement investigation (or why none was needed)"),
        "interim_measures": _text(interim_measures, "interim_measures", "The interim measures"),
    }
    rationale = _text(rationale, "rationale", "The team's conclusion")
    case.stage = Stage.SAFETY_PLAN
    case.save(update_fields=["stage"])
    return _decide(actor, case, Step.SAFETY_EVALUATION, "completed", rationale, details)


def _schedule_reminders(follow_ups: list[FollowUp]) -> None:
    from schoolsafe.threats.tasks import reminder_time, send_follow_up_reminders

    moments = sorted({reminder_time(f.due_on) for f in follow_ups})

    def enqueue() -> None:
        for moment in moments:
            send_follow_up_reminders.using(run_after=moment).enqueue()

    transaction.on_commit(enqueue)


@transaction.atomic
def do_adopt_safety_plan(
    actor: Any, case: Case | int, *, interventions: str, responsible: Any, monitoring_schedule: str,
    monitoring_dates: Iterable[Any], rationale: str,
) -> SafetyPlan:
    """Step 5: the safety plan (interventions, the responsible member, the monitoring dates)."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.SAFETY_PLAN, doing="the safety plan (step 5)")
    interventions = _text(interventions, "interventions", "The interventions")
    if responsible is None or _live_member(case.team, responsible) is None:
        raise ThreatError("The person responsible must be a member of this case's team.", "responsible")
    schedule = _text(monitoring_schedule, "monitoring_schedule", "The monitoring schedule", max_length=200)
    dates = sorted({_day(d, "monitoring_dates", "A monitoring date") for d in monitoring_dates})
    if not dates:
        raise ThreatError("Give at least one monitoring date.", "monitoring_dates")
    if dates[0] < timezone.localdate():
        raise ThreatError(f"Monitoring date {dates[0]:%Y-%m-%d} is in the past.", "monitoring_dates")
    rationale = _text(rationale, "rationale", "Why this plan")
    plan = SafetyPlan.objects.create(case=case, interventions=interventions, responsible=responsible,
                                     monitoring_schedule=schedule, adopted_by=actor)
    follow_ups = FollowUp.objects.bulk_create([FollowUp(case=case, due_on=d, responsible=responsible) for d in dates])
    case.stage = Stage.MONITORING
    case.save(update_fields=["stage"])
    _decide(actor, case, Step.SAFETY_PLAN, "plan_adopted", rationale, {
        "interventions": interventions, "responsible": responsible.username, "monitoring_schedule": schedule,
        "monitoring_dates": [d.isoformat() for d in dates],
    })
    _schedule_reminders(follow_ups)
    return plan


@transaction.atomic
def do_record_follow_up(
    actor: Any, follow_up: FollowUp | int, *, summary: str, next_due_on: Any = None,
) -> FollowUp:
    """A monitoring check of the safety plan was done; optionally schedule the next one."""
    follow_up_id = follow_up.pk if isinstance(follow_up, FollowUp) else follow_up
    case_id = FollowUp.objects.filter(pk=follow_up_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("Follow-up not found.")
    case = _case_for_change(actor, case_id)
    _require_stage(case, Stage.MONITORING, doing="recording a follow-up")
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    if not follow_up.is_pending:
        raise WorkflowError(f"The follow-up due {follow_up.due_on:%Y-%m-%d} is already recorded.", "follow_up")
    summary = _text(summary, "summary", "What the follow-up found")
    next_day = _day(next_due_on, "next_due_on", "The next follow-up date") if next_due_on not in (None, "") else None
    if next_day is not None and next_day < timezone.localdate():
        raise ThreatError(f"The next follow-up date {next_day:%Y-%m-%d} is in the past.", "next_due_on")
    follow_up.completed_at = timezone.now()
    follow_up.completed_by = actor
    follow_up.summary = summary
    follow_up.save(update_fields=["completed_at", "completed_by", "summary"])
    details: dict[str, Any] = {"follow_up": follow_up.pk, "due_on": follow_up.due_on.isoformat()}
    if next_day is not None:
        nxt = FollowUp.objects.create(case=case, due_on=next_day, responsible=follow_up.responsible)
        details["next_due_on"] = next_day.isoformat()
        _schedule_reminders([nxt])
    pending = case.follow_ups.filter(completed_at__isnull=True, cancelled_at__isnull=True).exists()
    _decide(actor, case, Step.FOLLOW_UP, "monitoring_continues" if pending else "no_further_check_scheduled",
            summary, details)
    return follow_up


@transaction.atomic
def do_close_case(actor: Any, case: Case | int, *, outcome: str, reason: str) -> Case:
    """Close a case, with its outcome and the reason. A transient case closes once resolved; a
    substantive one once its safety plan has been followed up at least once."""
    case = _case_for_change(actor, case)
    _require_stage(case, Stage.RESOLVED, Stage.MONITORING, doing="closing the case")
    if case.stage == Stage.MONITORING and not case.follow_ups.filter(completed_at__isnull=False).exists():
        raise WorkflowError("Record at least one follow-up of the safety plan before closing the case.", "follow_ups")
    outcome = _choice(outcome, "outcome", "The outcome", ClosureOutcome)
    reason = _text(reason, "reason", "The reason for closing the case")
    now = timezone.now()
    cancelled = case.follow_ups.filter(completed_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
    case.stage = Stage.CLOSED
    case.closed_at = now
    case.closure_outcome = outcome
    case.closure_reason = reason
    case.save(update_fields=["stage", "closed_at", "closure_outcome", "closure_reason"])
    _decide(actor, case, Step.CLOSE, outcome, reason, {"follow_ups_cancelled": cancelled})
    return case
