"""Need-to-know access to threat-assessment records.

A case is visible to the members of its team and to the district's threat-assessment coordinator, and to
nobody else: not the referrer, not the principal or the district director (unless they sit on the team),
not a superuser. Whoever else asks gets a 404, so they cannot learn that the case exists.

Definitions:
- a *seat* counts only while the person also holds the `ta_member` role for the team's school or
  district (revoking the role ends access at once, without touching the roster);
- the district's *coordinator* is whoever holds `ta_member` at the district level;
- a *clinical* note is read only by the team's mental-health members (the police member, the
  coordinator and the rest of the team see the case but not those notes).

The actions "refer", "open_from_tip" and "report" say which roles may refer a concern, open a case from a
tip and read the de-identified counts of a school; they never list cases (restrict returns nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import allowed_roles, memberships, reached_schools, register
from schoolsafe.audit.models import need_to_know

TA = frozenset({"ta_member"})
TEAM_VIEWERS = frozenset({"ta_member", "school_admin", "district_director"})
# Any adult of the school may refer a concern (CSTAG: everyone reports threats).
REFERRERS = frozenset({"staff", "school_admin", "ta_member", "officer", "program_coordinator", "district_director"})
TIP_HANDLERS = frozenset({"tip_analyst", "ta_member", "school_admin", "district_director"})
REPORT_READERS = frozenset({"ta_member", "school_admin", "district_director"})

CASE_PARTS = ("decision", "themeassessment", "casenotification", "safetyplan", "followup", "disclosure")
# The audit page shows a row about a case, a note or a disclosure only to who may see that object (a row
# about a clinical note only to the team's mental-health members).
need_to_know("threats.case", "threats.note", *(f"threats.{_label}" for _label in CASE_PARTS))


def _ta_organizations(user: Any) -> tuple[set[int], set[int]]:
    """The schools and districts where the user holds the ta_member role."""
    schools, districts = set(), set()
    for m in memberships(user):
        if m.role == "ta_member":
            if m.school_id:
                schools.add(m.school_id)
            elif m.district_id:
                districts.add(m.district_id)
    return schools, districts


def coordinated_districts(user: Any) -> set[int]:
    """The districts whose threat-assessment coordinator this user is."""
    return _ta_organizations(user)[1]


def seats(user: Any) -> list[Mapping[str, Any]]:
    """The user's live seats: on a team, not removed, and still holding ta_member for the team's place."""
    if not memberships(user):
        return []
    from schoolsafe.threats.models import TeamMember

    schools, districts = _ta_organizations(user)
    rows = TeamMember.objects.filter(user=user, removed_at__isnull=True).values(
        "pk", "team_id", "team__school_id", "team__district_id", "team_role", "is_lead"
    )
    return [r for r in rows if r["team__school_id"] in schools or r["team__district_id"] in districts]


def seat_on(user: Any, team_id: int) -> Mapping[str, Any] | None:
    return next((s for s in seats(user) if s["team_id"] == team_id), None)


def holds_ta_role_for(user: Any, team: Any) -> bool:
    """Whether the user may sit on `team`: ta_member at its school or its district."""
    schools, districts = _ta_organizations(user)
    return (team.school_id is not None and team.school_id in schools) or team.district_id in districts


def holds_clinician_role_for(user: Any, team: Any) -> bool:
    """Whether the user is qualified for the team's mental-health seat: the clinician role (counsellor,
    psychologist, social worker) at its school or its district."""
    return any(m.role == "clinician" and ((team.school_id is not None and m.school_id == team.school_id)
                                          or m.district_id == team.district_id)
               for m in memberships(user))


def is_mental_health_member(user: Any, team_id: int) -> bool:
    seat = seat_on(user, team_id)
    return seat is not None and seat["team_role"] == "mental_health"


def restrict_cases(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    if action not in ("view", "change") or "ta_member" not in roles:
        return queryset.none()
    team_ids = sorted({s["team_id"] for s in seats(user)})
    districts = sorted(coordinated_districts(user))
    if not team_ids and not districts:
        return queryset.none()
    return queryset.filter(Q(team_id__in=team_ids) | Q(team__district_id__in=districts))


def restrict_notes(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    from schoolsafe.threats.models import Case

    cases = restrict_cases(Case.objects.all(), user, action, roles)
    clinical_teams = sorted({s["team_id"] for s in seats(user) if s["team_role"] == "mental_health"})
    return queryset.filter(case__in=cases.values("pk")).filter(Q(clinical=False) | Q(case__team_id__in=clinical_teams))


def restrict_teams(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A team's roster is seen and managed by its members (managed by its lead), the district's
    coordinator, the principal of its school and the district's safety director. A roster is not a
    case: knowing who sits on the team reveals nothing about whom it assesses."""
    q = Q(pk__in=[])
    my_seats = seats(user)
    if "ta_member" in roles:
        mine = [s["team_id"] for s in my_seats if action == "view" or s["is_lead"]]
        q |= Q(pk__in=sorted(mine)) | Q(district_id__in=sorted(coordinated_districts(user)))
    admin_schools = sorted(m.school_id for m in memberships(user) if m.role == "school_admin" and m.school_id
                           and "school_admin" in roles)
    directed = sorted(m.district_id for m in memberships(user) if m.role == "district_director" and m.district_id
                      and "district_director" in roles)
    q |= Q(school_id__in=admin_schools) | Q(district_id__in=directed)
    return queryset.filter(q)


def restrict_case_parts(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Something that belongs to a case (a decision, a follow-up, ...) is exactly as visible as the case."""
    from schoolsafe.threats.models import Case

    return queryset.filter(case__in=restrict_cases(Case.objects.all(), user, action, roles).values("pk"))


def restrict_team_members(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A seat is seen and managed with its team's roster."""
    from schoolsafe.threats.models import Team

    return queryset.filter(team__in=restrict_teams(Team.objects.all(), user, action, roles).values("pk"))


register("threats.team", {"view": TEAM_VIEWERS, "change": TEAM_VIEWERS}, restrict=restrict_teams)
register("threats.teammember", {"view": TEAM_VIEWERS, "change": TEAM_VIEWERS}, restrict=restrict_team_members)
register("threats.case", {"view": TA, "change": TA, "refer": REFERRERS, "open_from_tip": TIP_HANDLERS,
                          "report": REPORT_READERS}, restrict=restrict_cases)
register("threats.note", {"view": TA, "change": TA}, restrict=restrict_notes)
for _label in CASE_PARTS:
    register(f"threats.{_label}", {"view": TA, "change": TA}, restrict=restrict_case_parts)


def schools_for(user: Any, action: str) -> models.QuerySet:
    """The schools where `user` may do a school-wide threat action ("refer", "open_from_tip", "report")."""
    from schoolsafe.threats.models import Case

    return reached_schools(user, allowed_roles(Case, action))


def team_founders(user: Any) -> tuple[set[int], set[int]]:
    """(school ids, district ids) where `user` may set a team up: the same people who manage a roster
    (restrict_teams): a school's principal for the school, the district's safety director and its
    coordinator for the district and every school in it."""
    schools = {m.school_id for m in memberships(user) if m.role == "school_admin" and m.school_id}
    districts = {m.district_id for m in memberships(user) if m.role == "district_director" and m.district_id}
    return schools, districts | coordinated_districts(user)


def may_found_team(user: Any, school: Any, district: Any) -> bool:
    """Whether `user` may set up the team of `school` (or, with no school, of `district`)."""
    schools, districts = team_founders(user)
    return district.pk in districts or (school is not None and school.pk in schools)


# --- loaders: 404 when not visible, 403 when visible but the action is not allowed (access/loaders.py) ---


def access_case(user: Any, case_id: int, action: str = "view") -> Any:
    """The case `user` may `action` (not audited: reads.load_case audits a look at it)."""
    from schoolsafe.threats.models import Case

    return get_or_404(Case.objects.select_related("team", "school"), user, action, pk=case_id)


def access_note(user: Any, case_id: int, note_id: int, action: str = "view") -> Any:
    from schoolsafe.threats.models import Note

    return get_or_404(Note.objects.select_related("case", "case__team", "author"), user, action, pk=note_id,
                      case_id=case_id)


def access_follow_up(user: Any, case_id: int, follow_up_id: int, action: str = "view") -> Any:
    from schoolsafe.threats.models import FollowUp

    return get_or_404(FollowUp.objects.all(), user, action, pk=follow_up_id, case_id=case_id)


def access_team(user: Any, team_id: int, action: str = "view") -> Any:
    from schoolsafe.threats.models import Team

    return get_or_404(Team.objects.select_related("school", "district"), user, action, pk=team_id)


def access_team_member(user: Any, team_id: int, member_id: int, action: str = "view") -> Any:
    """A live seat on a team, loaded with the team's rule (a seat is managed with its roster)."""
    from schoolsafe.threats.models import TeamMember

    return get_or_404(TeamMember.objects.select_related("user", "team"), user, action, pk=member_id, team_id=team_id,
                      removed_at__isnull=True)
