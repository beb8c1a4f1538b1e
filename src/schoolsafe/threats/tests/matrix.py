"""The permission matrix's object builders for threat assessment (protocol: core/tests/matrix.py).

Each builder seats the persona on the school's team as its lead: the domain's own link. A seat counts
only with the ta_member role for the team's school or district, so every other role still sees nothing,
and the seat on school B's team (a school the persona does not reach) stays void.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.threats.models import (
    Case,
    CaseNotification,
    Decision,
    Disclosure,
    FollowUp,
    Note,
    SafetyPlan,
    Team,
    TeamMember,
    ThemeAssessment,
)


def _team(school: Any, user: Any) -> Team:
    team = Team.objects.get_or_create(school=school, defaults={"district": school.district, "name": f"{school} team"})[0]
    TeamMember.objects.get_or_create(team=team, user=user, removed_at=None,
                                     defaults={"team_role": "mental_health", "is_lead": True})
    return team


def _seat(school: Any, user: Any) -> TeamMember:
    return TeamMember.objects.get(team=_team(school, user), user=user, removed_at=None)


def _case(school: Any, user: Any) -> Case:
    return Case.objects.create(
        team=_team(school, user), school=school, source="team", person_kind="student", person_name="Matrix Student",
        occurred_at=timezone.now(), how_received="in_person", behaviour="Said a threat.", mode="spoken",
    )


MATRIX: dict[str, Spec] = {
    "threats.team": Spec(build=_team),
    "threats.teammember": Spec(build=_seat),
    # refer, open_from_tip and report name who may act school-wide; they never list a case.
    "threats.case": Spec(build=_case, lists_nothing=frozenset({"refer", "open_from_tip", "report"})),
    "threats.decision": Spec(build=lambda school, user: Decision.objects.create(
        case=_case(school, user), step="evaluate", outcome="evaluated", rationale="r", decided_by=user)),
    "threats.themeassessment": Spec(build=lambda school, user: ThemeAssessment.objects.create(
        case=_case(school, user), theme="motive", finding="concern", updated_by=user)),
    # A clinical note: the persona is seated as the team's mental-health member, so the team sees it.
    "threats.note": Spec(build=lambda school, user: Note.objects.create(
        case=_case(school, user), author=user, text="n", clinical=True)),
    "threats.casenotification": Spec(build=lambda school, user: CaseNotification.objects.create(
        case=_case(school, user), recipient="target", name="T", method="phone", notified_at=timezone.now(),
        notified_by=user)),
    "threats.safetyplan": Spec(build=lambda school, user: SafetyPlan.objects.create(
        case=_case(school, user), interventions="i", responsible=user, monitoring_schedule="weekly", adopted_by=user)),
    "threats.followup": Spec(build=lambda school, user: FollowUp.objects.create(
        case=_case(school, user), due_on=timezone.localdate() + dt.timedelta(days=7), responsible=user)),
    "threats.disclosure": Spec(build=lambda school, user: Disclosure.objects.create(
        case=_case(school, user), recipients="r", legal_basis="court_order", basis_detail="order", information="i",
        disclosed_at=timezone.now(), disclosed_by=user)),
}
