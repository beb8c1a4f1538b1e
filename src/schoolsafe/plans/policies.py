"""Who may read and change plans, site maps and the responder packet.

Plans hold the school's security arrangements, so they are read by the school's staff, the district and
the police who serve the school, not by every role. Sign-offs are checked in the actions against the
role each one needs (SIGNOFF_ROLES), on top of these tables.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import ALL_ROLES, reached_schools, register

SCHOOL_LEADS = frozenset({"school_admin", "district_director"})
POLICE_LEADS = frozenset({"agency_admin", "police_supervisor"})
POLICE = frozenset({"dispatcher", "officer", "police_supervisor", "agency_admin"})
PLAN_READERS = frozenset({"school_admin", "staff", "district_director", "ta_member"}) | POLICE
# The packet carries door codes, key holders and private phone numbers: responders and school leads only.
PACKET_READERS = SCHOOL_LEADS | POLICE
SITE_MAP_EDITORS = SCHOOL_LEADS | POLICE_LEADS | {"officer"}

# The role a sign-off needs ("police:<annex>" sign-offs need one of POLICE_LEADS in an agency serving
# the school, which is what an agency membership reaches).
SIGNOFF_ROLES = {"school_admin": frozenset({"school_admin"}), "district_director": frozenset({"district_director"})}

PLAN = {"view": PLAN_READERS, "change": SCHOOL_LEADS, "signoff": SCHOOL_LEADS | POLICE_LEADS}

register("plans.plan", PLAN, school_path="school")
register("plans.planversion", PLAN, school_path="plan__school")
register("plans.plansection", PLAN, school_path="version__plan__school")
register("plans.planningteammember", PLAN, school_path="version__plan__school")
register("plans.threathazard", PLAN, school_path="version__plan__school")
register("plans.plansignoff", PLAN, school_path="version__plan__school")
register("plans.planreminder", {"view": SCHOOL_LEADS, "change": SCHOOL_LEADS}, school_path="plan__school")


def restrict_templates(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A template belongs to a district: visible to whoever reaches one of its schools with a role."""
    return queryset.filter(district_id__in=reached_schools(user, roles).values("district_id"))


register("plans.plantemplate", {"view": SCHOOL_LEADS, "change": frozenset({"district_director"})},
         restrict=restrict_templates)
# The alert pages show every member of a school the directives, so everyone reads them.
register("plans.responseprotocol", {"view": ALL_ROLES, "change": SCHOOL_LEADS}, school_path="school")
register("plans.sitemap", {"view": PLAN_READERS, "change": SITE_MAP_EDITORS, "packet": PACKET_READERS},
         school_path="school")
register("plans.responderinfo", {"view": PACKET_READERS, "change": SITE_MAP_EDITORS}, school_path="school")
register("plans.emergencycontact", {"view": PACKET_READERS, "change": SITE_MAP_EDITORS}, school_path="school")


# --- loaders: 404 when not visible, 403 when visible but the action is not allowed (access/loaders.py) ---


def access_plan(user: Any, plan_id: int, action: str = "view") -> Any:
    from schoolsafe.plans.models import Plan

    return get_or_404(Plan.objects.select_related("school"), user, action, pk=plan_id)


def access_plan_version(user: Any, version_id: int | None = None, action: str = "view", **lookup: Any) -> Any:
    """A version by id, or by `lookup` (`plan_id=..., number=...`)."""
    from schoolsafe.plans.models import PlanVersion

    if version_id is not None:
        lookup["pk"] = version_id
    return get_or_404(PlanVersion.objects.select_related("plan__school__district"), user, action, **lookup)


def access_section(user: Any, section_id: int, action: str = "view") -> Any:
    from schoolsafe.plans.models import PlanSection

    return get_or_404(PlanSection.objects.select_related("version__plan__school"), user, action, pk=section_id)


def access_planning_member(user: Any, member_id: int, action: str = "view") -> Any:
    from schoolsafe.plans.models import PlanningTeamMember

    return get_or_404(PlanningTeamMember.objects.select_related("version__plan__school"), user, action, pk=member_id)


def access_hazard(user: Any, hazard_id: int, action: str = "view", **lookup: Any) -> Any:
    from schoolsafe.plans.models import ThreatHazard

    return get_or_404(ThreatHazard.objects.select_related("version__plan__school"), user, action, pk=hazard_id,
                      **lookup)


def access_contact(user: Any, contact_id: int, action: str = "view") -> Any:
    from schoolsafe.plans.models import EmergencyContact

    return get_or_404(EmergencyContact.objects.all(), user, action, pk=contact_id)

