"""Every write to threat assessment: teams, intake, the CSTAG decisions, notes, disclosures.

Each action runs in one transaction, checks that the actor may do it (through the need-to-know policy; an
invisible case is `NotFound`, shown as 404), refuses a step out of order (`WorkflowError`, 409) or bad input
(`ThreatError` naming the field, 400), writes an audit row, and sends mail or schedules reminders only
after the commit.

Audit rows never carry the person of concern's name or the words of the threat: the audit log is
read by auditors who are not on the team. They carry the case number, the step and the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import School
from schoolsafe.threats import policies
from schoolsafe.threats.models import (
    THEMES,
    Case,
    CaseNotification,
    Classification,
    ClosureOutcome,
    Decision,
    Disclosure,
    Finding,
    FollowUp,
    HowReceived,
    LegalBasis,
    Mode,
    Note,
    NotificationRecipient,
    PersonKind,
    SafetyPlan,
    Source,
    Stage,
    Step,
    Team,
    TeamMember,
    TeamRole,
    ThemeAssessment,
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


# --- teams ---------------------------------------------------------------------------------------


def _team_for_change(actor: Any, team: Team | int) -> Team:
    team_id = team.pk if isinstance(team, Team) else team
    found = Team.objects.restrict(actor, "change").filter(pk=team_id).select_related("school", "district").first()
    if found is None:
        raise NotFound("Team not found.")
    return found


@transaction.atomic
def do_create_team(actor: Any, *, school: School | None = None, district: Any = None, name: str = "") -> Team:
    """Set up the threat-assessment team of a school, or the district-level team."""
    if school is not None:
        district = school.district
    if district is None:
        raise ThreatError("A team serves a school or a district.", "school")
    if not policies.may_found_team(actor, school, district):
        raise NotFound("School not found." if school is not None else "District not found.")
    name = _text(name, "name", "The team's name", required=False, max_length=200) or (
        f"{school.name} threat-assessment team" if school else f"{district.name} district threat-assessment team"
    )
    if Team.objects.filter(school=school, district=district).exists():
        raise ThreatError(f"{school or district} already has a threat-assessment team.", "school")
    team = Team.objects.create(name=name, school=school, district=district)
    record(actor, "threats.team_created", team, organization=team.organization, summary={"name": name})
    return team


def _check_not_self(actor: Any, team: Team, user: Any) -> None:
    """Nobody seats, relabels or promotes themselves: another person who manages the roster, or the
    district's coordinator, must do it. Otherwise a principal could leave the team and come back as its
    mental-health member to read the clinical notes (the Secret Service model's multidisciplinary team
    exists so that no one person controls what the team sees). Leaving is always one's own choice."""
    if getattr(user, "pk", None) == getattr(actor, "pk", None) and team.district_id not in policies.coordinated_districts(actor):
        raise ThreatError("You cannot add yourself to the team or change your own seat; another member who "
                          "manages the roster, or the district's coordinator, must do it.", "user")


@transaction.atomic
def do_add_team_member(actor: Any, team: Team | int, user: Any, team_role: str, *, is_lead: bool = False) -> TeamMember:
    """Seat a person on a team in a discipline; the person must hold the ta_member role there."""
    team = _team_for_change(actor, team)
    team_role = _choice(team_role, "team_role", "The team role", TeamRole)
    if user is None:
        raise ThreatError("Choose a person.", "user")
    if not policies.holds_ta_role_for(user, team):
        place = team.school or team.district
        raise ThreatError(
            f"{user} does not hold the threat-assessment team member role at {place}; "
            "an administrator must grant that role before they can join the team.", "user",
        )
    if team.members.filter(user=user, removed_at__isnull=True).exists():
        raise ThreatError(f"{user} is already on this team.", "user")
    _check_not_self(actor, team, user)
    if team_role == TeamRole.MENTAL_HEALTH and not policies.holds_clinician_role_for(user, team):
        raise ThreatError(
            f"{user} does not hold the counsellor, psychologist or social worker role at {team.school or team.district}; "
            "only they may take the mental-health seat (it reads the team's clinical notes).", "team_role",
        )
    if is_lead:
        team.members.filter(is_lead=True, removed_at__isnull=True).update(is_lead=False)
    member = TeamMember.objects.create(team=team, user=user, team_role=team_role, is_lead=is_lead)
    record(actor, "threats.member_added", member, organization=team.organization,
           summary={"team": team.pk, "user": user.username, "team_role": team_role, "is_lead": is_lead})
    return member


@transaction.atomic
def do_set_team_lead(actor: Any, member: TeamMember | int) -> TeamMember:
    """Make one member the team lead (the previous lead stays on the team)."""
    member_id = member.pk if isinstance(member, TeamMember) else member
    member = TeamMember.objects.filter(pk=member_id, removed_at__isnull=True).select_related("team", "user").first()
    if member is None:
        raise NotFound("Team member not found.")
    team = _team_for_change(actor, member.team)
    _check_not_self(actor, team, member.user)
    team.members.filter(is_lead=True, removed_at__isnull=True).exclude(pk=member.pk).update(is_lead=False)
    member.is_lead = True
    member.save(update_fields=["is_lead"])
    record(actor, "threats.lead_set", member, organization=team.organization, summary={"user": member.user.username})
    return member


@transaction.atomic
def do_remove_team_member(actor: Any, member: TeamMember | int) -> TeamMember:
    """Take a person off a team: they lose access to its cases at once; their past decisions stay."""
    member_id = member.pk if isinstance(member, TeamMember) else member
    member = TeamMember.objects.filter(pk=member_id, removed_at__isnull=True).select_related("team", "user").first()
    if member is None:
        raise NotFound("Team member not found.")
    team = _team_for_change(actor, member.team)
    member.removed_at = timezone.now()
    member.is_lead = False
    member.save(update_fields=["removed_at", "is_lead"])
    record(actor, "threats.member_removed", member, organization=team.organization,
           summary={"user": member.user.username})
    return member


# --- intake --------------------------------------------------------------------------------------


def team_for_school(school: School) -> Team:
    """The team that takes a school's cases: its own, else the district's team."""
    team = Team.objects.filter(school=school).first() or Team.objects.filter(district=school.district_id,
                                                                             school__isnull=True).first()
    if team is None:
        raise ThreatError(
            f"No threat-assessment team serves {school.name} yet. Tell the principal now, in person or by phone.",
            "school",
        )
    return team


def _notify_team(case: Case) -> None:
    from schoolsafe.threats.tasks import notify_team_of_case

    case_id = case.pk
    transaction.on_commit(lambda: notify_team_of_case.enqueue(case_id))


def _create_case(actor: Any, team: Team, school: School | None, source: str, intake: dict[str, Any], **extra: Any) -> Case:
    case = Case.objects.create(team=team, school=school, source=source, opened_by=actor if _is_user(actor) else None,
                               **intake, **extra)
    record(actor, "threats.case_opened", case, organization=case.organization,
           summary={"case": case.number, "source": source, "team": team.pk})
    _notify_team(case)
    return case


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


@transaction.atomic
def do_refer_concern(actor: Any, school: School | int, **intake: Any) -> Case:
    """A staff member refers a concerning behaviour to the school's team (the referrer then does not see
    the case: need-to-know)."""
    school_id = school.pk if isinstance(school, School) else school
    school = policies.schools_for(actor, "refer").filter(pk=school_id).select_related("district").first()
    if school is None:
        raise NotFound("School not found.")
    intake.setdefault("how_received", HowReceived.STAFF_REFERRAL)
    intake.setdefault("reporter_name", getattr(actor, "display_name", str(actor)))
    clean = check_intake(intake)
    team = team_for_school(school)
    return _create_case(actor, team, school, Source.REFERRAL, clean, referred_by=actor)


@transaction.atomic
def do_open_case(actor: Any, team: Team | int, *, school: School | int | None = None, **intake: Any) -> Case:
    """A team member (or the district's coordinator) opens a case directly."""
    team_id = team.pk if isinstance(team, Team) else team
    team = Team.objects.filter(pk=team_id).select_related("school").first()
    if team is None or not (policies.seat_on(actor, team.pk) or team.district_id in policies.coordinated_districts(actor)):
        raise NotFound("Team not found.")
    if team.school_id:
        school = team.school
    elif school is not None:
        school_id = school.pk if isinstance(school, School) else school
        school = School.objects.filter(pk=school_id, district_id=team.district_id).first()
        if school is None:
            raise ThreatError("That school is not in this team's district.", "school")
    clean = check_intake(intake)
    return _create_case(actor, team, school, Source.TEAM, clean)


@transaction.atomic
def do_open_case_from_tip(
    actor: Any,
    *,
    tip_reference: str,
    school: School | int | None,
    category: str,
    text: str,
    district: Any = None,
    received_at: dt.datetime | None = None,
    context: str = "",
    person_name: str = "",
) -> Case:
    """Open (or find again) the threat case for a tip: the one click from tip triage.

    Takes plain data so that this app never imports the tips app: `tip_reference` is the tips app's own
    stable key for the tip (say "tip-123", not the tipster's receipt code), `school` the tip's school (or
    None with `district` for a tip about no particular school: the district's team takes it), `category`
    and `text` what the tipster chose and wrote, `context` anything else worth keeping (when, where, who).
    The actor must reach the school (or a school of the district) as a tip analyst, a team member, its
    principal or the district's director. A second call with the same `tip_reference` returns the case
    already opened. The caller usually is not on the team, so it does not see the case afterwards.
    """
    tip_reference = _text(tip_reference, "tip_reference", "The tip reference", max_length=64)
    handled = policies.schools_for(actor, "open_from_tip")
    if school is not None:
        school_id = school.pk if isinstance(school, School) else school
        found = handled.filter(pk=school_id).select_related("district").first()
        if found is None:
            raise NotFound("School not found.")
    else:
        district_id = getattr(district, "pk", district)
        if district_id is None or not handled.filter(district_id=district_id).exists():
            raise NotFound("District not found.")
        found = None
    existing = Case.objects.filter(tip_reference=tip_reference).first()
    if existing is not None:
        return existing
    category = _text(category, "category", "The tip category", required=False, max_length=100)
    extra = _text(context, "context", "Context", required=False)
    intake = check_intake({
        "person_kind": PersonKind.OTHER,
        "person_name": person_name or "Not yet identified (from a tip)",
        "occurred_at": received_at or timezone.now(),
        "how_received": HowReceived.TIP_LINE,
        "behaviour": _text(text, "text", "The tip's text"),
        "mode": Mode.ELECTRONIC,
        "context": "\n".join(part for part in (f"Tip category: {category}" if category else "", extra) if part),
        "reporter_name": "Anonymous tip",
    })
    if found is not None:
        team = team_for_school(found)
    else:
        team = Team.objects.filter(district_id=district_id, school__isnull=True).first()
        if team is None:
            raise ThreatError("The district has no district-level threat-assessment team for a tip about no school.",
                              "district")
    try:
        with transaction.atomic():
            return _create_case(actor, team, found, Source.TIP, intake, tip_reference=tip_reference)
    except IntegrityError:
        # Two clicks at once: the other one opened it.
        return Case.objects.get(tip_reference=tip_reference)


@transaction.atomic
def do_update_intake(actor: Any, case: Case | int, **changes: Any) -> Case:
    """Complete or correct the intake (a tip's person of concern, once identified)."""
    case = _case_for_change(actor, case)
    _require_stage(case, *[s for s in Stage.values if s != Stage.CLOSED], doing="changing the intake")
    clean = check_intake(changes, partial=True)
    changed = [name for name, value in clean.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, clean[name])
    if changed:
        case.save(update_fields=changed)
        record(actor, "threats.intake_updated", case, organization=case.organization,
               summary={"case": case.number, "fields": changed})
    return case


# --- the CSTAG steps -----------------------------------------------------------------------------


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


# --- themes, notes, disclosures ------------------------------------------------------------------

THEME_CODES = [code for code, _, _ in THEMES]


@transaction.atomic
def do_record_themes(actor: Any, case: Case | int, entries: dict[str, dict[str, str]]) -> list[ThemeAssessment]:
    """Record the team's findings on the Secret Service investigative themes ({theme: {finding, notes}})."""
    case = _case_for_change(actor, case)
    _require_stage(case, *[s for s in Stage.values if s != Stage.CLOSED], doing="recording the investigative themes")
    changed = []
    for theme, entry in entries.items():
        if theme not in THEME_CODES:
            raise ThreatError(f"Unknown investigative theme: {theme}.", "theme")
        finding = _choice(entry.get("finding"), f"{theme}.finding", "The finding", Finding, required=False)
        notes = _text(entry.get("notes"), f"{theme}.notes", "Notes", required=False)
        current = ThemeAssessment.objects.filter(case=case, theme=theme).first()
        if current is not None and (current.finding, current.notes) == (finding, notes):
            continue
        if current is None and not finding and not notes:
            continue
        obj, _ = ThemeAssessment.objects.update_or_create(
            case=case, theme=theme,
            defaults={"finding": finding, "notes": notes, "updated_by": actor, "updated_at": timezone.now()},
        )
        changed.append(obj)
    if changed:
        record(actor, "threats.themes_recorded", case, organization=case.organization,
               summary={"case": case.number, "themes": [t.theme for t in changed]})
    return changed


@transaction.atomic
def do_add_note(actor: Any, case: Case | int, *, text: str, clinical: bool = False) -> Note:
    """A note on the case; a clinical note is written (and read) only by the team's mental-health members."""
    case = _case_for_change(actor, case)
    text = _text(text, "text", "The note")
    if clinical and not policies.is_mental_health_member(actor, case.team_id):
        raise ThreatError("Only the team's mental-health members write clinical notes.", "clinical")
    note = Note.objects.create(case=case, author=actor, text=text, clinical=bool(clinical))
    record(actor, "threats.note_added", note, organization=case.organization,
           summary={"case": case.number, "clinical": note.clinical})
    return note


# Bases under which the record must say what was relied on (34 CFR 99.32(a)(5) for an emergency).
_BASIS_NEEDS_DETAIL = {LegalBasis.HEALTH_SAFETY: "the articulable and significant threat",
                       LegalBasis.CONSENT: "whose consent, and when it was given",
                       LegalBasis.COURT_ORDER: "the order or subpoena",
                       LegalBasis.JUVENILE_JUSTICE: "the state law",
                       LegalBasis.STATE_LAW: "the law relied on"}


@transaction.atomic
def do_record_disclosure(
    actor: Any, case: Case | int, *, recipients: str, legal_basis: str, information: str,
    basis_detail: str = "", disclosed_at: Any = None,
) -> Disclosure:
    """Log information from the case shared outside the team, with its legal basis and recipients."""
    case = _case_for_change(actor, case)
    legal_basis = _choice(legal_basis, "legal_basis", "The legal basis", LegalBasis)
    needs = _BASIS_NEEDS_DETAIL.get(legal_basis)
    detail = _text(basis_detail, "basis_detail", f"The record of {needs}" if needs else "Detail", required=bool(needs))
    disclosure = Disclosure.objects.create(
        case=case,
        recipients=_text(recipients, "recipients", "The recipients"),
        legal_basis=legal_basis,
        basis_detail=detail,
        information=_text(information, "information", "What was shared"),
        disclosed_at=_moment(disclosed_at or timezone.now(), "disclosed_at", "When it was shared"),
        disclosed_by=actor,
    )
    record(actor, "threats.disclosure_recorded", disclosure, organization=case.organization,
           summary={"case": case.number, "legal_basis": legal_basis})
    return disclosure


# --- mail to the team (run by the worker) --------------------------------------------------------

# Mail travels outside SchoolSafe: it names the case number and the school, never the person or the threat.
SYSTEM = "schoolsafe worker"


def do_notify_team_of_case(case_id: int) -> int:
    """Mail each active member of the case's team that a new case awaits them. Returns the recipients.

    The mail is a row first (notifications' worker mail): a mail server that is down delays it, the
    worker retries it and logs each failure, and it is never lost."""
    from schoolsafe.notifications.mail import attempt_mail, queue_mail

    case = Case.objects.select_related("team", "school").filter(pk=case_id).first()
    if case is None:
        return 0
    members = [m.user for m in case.team.active_members() if m.user.email and m.user.is_active]
    if not members:
        return 0
    place = case.school.name if case.school else case.team.name
    with transaction.atomic():
        mail = queue_mail(
            "threats.team_notified",
            f"New threat-assessment case {case.number} at {place}",
            f"A new case ({case.number}, {case.get_source_display().lower()}) needs {case.team.name}.\n"
            "Sign in to SchoolSafe and open Threat assessment to see it. Details are not sent by email.",
            [u.email for u in members],
        )
        record(SYSTEM, "threats.team_notified", case, organization=case.organization,
               summary={"case": case.number, "recipients": len(members)})
    attempt_mail(mail.pk)
    return len(members)


def do_send_follow_up_reminders(now: dt.datetime | None = None) -> int:
    """Remind the responsible member of each due follow-up once. Returns reminders sent.

    Each follow-up is claimed with a conditional update (reminded_at IS NULL), so two workers never
    both send it. The reminder is a worker mail row: a failed send is retried by the worker and logged.
    """
    from schoolsafe.notifications.mail import attempt_mail, queue_mail

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (FollowUp.objects.filter(due_on__lte=today, reminded_at__isnull=True, completed_at__isnull=True,
                                   cancelled_at__isnull=True)
           .exclude(case__stage=Stage.CLOSED).select_related("case", "case__school", "case__team", "responsible"))
    sent = 0
    for follow_up in due:
        case = follow_up.case
        place = case.school.name if case.school else case.team.name
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=follow_up.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            mail = queue_mail(
                "threats.follow_up_reminded",
                f"Follow-up due: threat-assessment case {case.number}",
                f"The safety-plan follow-up of case {case.number} at {place} is due on "
                f"{follow_up.due_on:%A %d %B %Y}.\nSign in to SchoolSafe and open Threat assessment to record it.",
                [follow_up.responsible.email],
            ) if follow_up.responsible.email else None
            record(SYSTEM, "threats.follow_up_reminded", follow_up, organization=case.organization,
                   summary={"case": case.number, "due_on": follow_up.due_on.isoformat(),
                            "to": follow_up.responsible.username})
        if mail is not None:
            attempt_mail(mail.pk)
        sent += 1
    return sent
