"""Demo data for threat assessment: Cedar Falls High School's team.

The principal leads it (administrator), the school psychologist is its mental-health professional and
the SRO its law-enforcement member; each gets the ta_member role at the school, which a seat requires (and
the psychologist the clinician role, which the mental-health seat requires).
No demo case is made: cases are protected records (a school with cases cannot be deleted), and the demo
walks through the referral form instead. Idempotent: called by core's demo loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


SCHOOL_A = "Cedar Falls High School"
# username, discipline on the team, team lead
TEAM = [("principal", "administrator", True), ("counselor", "mental_health", False), ("sro", "law_enforcement", False)]


def load_threats_demo(schools: dict[str, Any]) -> bool:
    """Give Cedar Falls High its threat-assessment team. Returns True when anything was created."""
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.threats.models import Team, TeamMember

    school = schools[SCHOOL_A]
    created_any = False
    team, created = Team.objects.get_or_create(
        school=school, defaults={"district": school.district, "name": "Cedar Falls High threat-assessment team"})
    created_any |= created
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _, _ in TEAM])}
    for username, team_role, is_lead in TEAM:
        user = users.get(username)
        if user is None:
            continue
        _, created = Membership.objects.get_or_create(user=user, role="ta_member", school=school)
        created_any |= created
        if team_role == "mental_health":
            # The mental-health seat needs the qualification (docs/threats.md): the psychologist holds it.
            _, created = Membership.objects.get_or_create(user=user, role="clinician", school=school)
            created_any |= created
        _, created = TeamMember.objects.get_or_create(team=team, user=user, removed_at=None,
                                                      defaults={"team_role": team_role, "is_lead": is_lead})
        created_any |= created
    return created_any


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): the threat-assessment teams and a case."""
    return load_threats_demo(county.schools)
