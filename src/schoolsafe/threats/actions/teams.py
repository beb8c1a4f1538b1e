"""Teams: founding a school's or district's team and managing its seats."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.core.models import School
from schoolsafe.threats import policies
from schoolsafe.threats.actions.common import (
    NotFound,
    ThreatError,
    _choice,
    _text,
)
from schoolsafe.threats.models import (
    Team,
    TeamMember,
    TeamRole,
)


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


def _live_seat(member: TeamMember | int) -> TeamMember:
    """The member's current seat (with its team and user); NotFound once they have left the team."""
    member_id = member.pk if isinstance(member, TeamMember) else member
    seat = TeamMember.objects.filter(pk=member_id, removed_at__isnull=True).select_related("team", "user").first()
    if seat is None:
        raise NotFound("Team member not found.")
    return seat


@transaction.atomic
def do_set_team_lead(actor: Any, member: TeamMember | int) -> TeamMember:
    """Make one member the team lead (the previous lead stays on the team)."""
    seat = _live_seat(member)
    team = _team_for_change(actor, seat.team)
    _check_not_self(actor, team, seat.user)
    team.members.filter(is_lead=True, removed_at__isnull=True).exclude(pk=seat.pk).update(is_lead=False)
    seat.is_lead = True
    seat.save(update_fields=["is_lead"])
    record(actor, "threats.lead_set", seat, organization=team.organization, summary={"user": seat.user.username})
    return seat


@transaction.atomic
def do_remove_team_member(actor: Any, member: TeamMember | int) -> TeamMember:
    """Take a person off a team: they lose access to its cases at once; their past decisions stay."""
    seat = _live_seat(member)
    team = _team_for_change(actor, seat.team)
    seat.removed_at = timezone.now()
    seat.is_lead = False
    seat.save(update_fields=["removed_at", "is_lead"])
    record(actor, "threats.member_removed", seat, organization=team.organization,
           summary={"user": seat.user.username})
    return seat
