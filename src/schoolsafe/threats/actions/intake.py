"""Intake: referrals, cases opened by the team, cases opened from a tip, corrections to the intake."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.core.models import School
from schoolsafe.threats import policies
from schoolsafe.threats.actions.common import (
    NotFound,
    ThreatError,
    _case_for_change,
    _require_stage,
    _text,
    check_intake,
)
from schoolsafe.threats.models import (
    Case,
    HowReceived,
    Mode,
    PersonKind,
    Source,
    Stage,
    Team,
)


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
    found = policies.schools_for(actor, "refer").filter(pk=school_id).select_related("district").first()
    if found is None:
        raise NotFound("School not found.")
    intake.setdefault("how_received", HowReceived.STAFF_REFERRAL)
    intake.setdefault("reporter_name", getattr(actor, "display_name", str(actor)))
    clean = check_intake(intake)
    return _create_case(actor, team_for_school(found), found, Source.REFERRAL, clean, referred_by=actor)


@transaction.atomic
def do_open_case(actor: Any, team: Team | int, *, school: School | int | None = None, **intake: Any) -> Case:
    """A team member (or the district's coordinator) opens a case directly."""
    team_id = team.pk if isinstance(team, Team) else team
    found = Team.objects.filter(pk=team_id).select_related("school").first()
    if found is None or not (policies.seat_on(actor, found.pk)
                             or found.district_id in policies.coordinated_districts(actor)):
        raise NotFound("Team not found.")
    # A school's team takes its own school's cases; a district's team says which of its schools, if any.
    place: School | None = found.school
    if place is None and school is not None:
        school_id = school.pk if isinstance(school, School) else school
        place = School.objects.filter(pk=school_id, district_id=found.district_id).first()
        if place is None:
            raise ThreatError("That school is not in this team's district.", "school")
    clean = check_intake(intake)
    return _create_case(actor, found, place, Source.TEAM, clean)


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
    team: Team | None
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
