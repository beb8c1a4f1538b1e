"""The permission matrix's object builders for the plans app (protocol: core/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.plans.models import (
    EmergencyContact,
    Plan,
    PlanningTeamMember,
    PlanReminder,
    PlanSection,
    PlanSignOff,
    PlanTemplate,
    PlanVersion,
    ResponderInfo,
    ResponseProtocol,
    SiteMap,
    ThreatHazard,
)


def _plan(school: Any, user: Any = None) -> Plan:
    return Plan.objects.get_or_create(school=school)[0]


def _version(school: Any, user: Any = None) -> PlanVersion:
    return PlanVersion.objects.get_or_create(plan=_plan(school), number=1)[0]


MATRIX: dict[str, Spec] = {
    "plans.plan": Spec(build=_plan),
    "plans.planversion": Spec(build=_version),
    "plans.plansection": Spec(build=lambda school, user: PlanSection.objects.create(
        version=_version(school), key="lockdown", kind="functional", title="Lockdown annex")),
    "plans.planningteammember": Spec(build=lambda school, user: PlanningTeamMember.objects.create(
        version=_version(school), name="Pat Lee", role="Team lead")),
    "plans.threathazard": Spec(build=lambda school, user: ThreatHazard.objects.create(
        version=_version(school), name="Tornado", category="natural", probability=2, magnitude=3, warning_time=4,
        duration=1)),
    "plans.plansignoff": Spec(build=lambda school, user: PlanSignOff.objects.create(
        version=_version(school), kind="school_admin", signer_name="Pat Lee", organization=school.name,
        signed_at=timezone.now())),
    "plans.planreminder": Spec(build=lambda school, user: PlanReminder.objects.create(
        plan=_plan(school), kind="overdue", due_date=timezone.localdate(), sent_at=timezone.now())),
    "plans.plantemplate": Spec(build=lambda school, user: PlanTemplate.objects.get_or_create(district=school.district)[0]),
    "plans.responseprotocol": Spec(build=lambda school, user: ResponseProtocol.objects.create(
        school=school, hold="h", secure="s", lockdown="l", evacuate="e", shelter="sh")),
    "plans.sitemap": Spec(build=lambda school, user: SiteMap.objects.create(school=school)),
    "plans.responderinfo": Spec(build=lambda school, user: ResponderInfo.objects.create(school=school)),
    "plans.emergencycontact": Spec(build=lambda school, user: EmergencyContact.objects.create(
        school=school, name="Pat Lee", role="Principal", phone="555-0100")),
}
