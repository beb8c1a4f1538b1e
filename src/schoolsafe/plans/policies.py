"""Who may read and change plans, site maps and the responder packet.

Plans hold the school's security arrangements, so they are read by the school's staff, the district and
the police who serve the school, not by every role. Sign-offs are checked in the actions against the
role each one needs (SIGNOFF_ROLES), on top of these tables.
"""

from __future__ import annotations

from typing import Any

from django.db import models

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
