"""Who may see and change the organizations: agencies, districts and schools (rows of the access policy).

Everyone with a role sees the organizations they belong to and those their schools deal with (a teacher
sees the district and the agencies that police the school); each organization is changed by its own
administrators.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.policy import ALL_ROLES, reached_schools, register


def restrict_agencies(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """An agency is visible to its members and to those it serves (a teacher sees who polices the school);
    changed by its own admins only."""
    from schoolsafe.core.models import School

    own = Q(memberships__user=user, memberships__role__in=roles)
    if action != "view":
        return queryset.filter(own).distinct()
    served = School.agencies.through.objects.filter(school__in=reached_schools(user, roles).values("pk"))
    return queryset.filter(own | Q(pk__in=served.values("agency_id"))).distinct()


def restrict_districts(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A district is visible to whoever reaches one of its schools; changed by its own staff."""
    own = Q(memberships__user=user, memberships__role__in=roles)
    if action != "view":
        return queryset.filter(own).distinct()
    return queryset.filter(own | Q(pk__in=reached_schools(user, roles).values("district_id"))).distinct()


register("core.school", {"view": ALL_ROLES, "change": frozenset({"school_admin", "district_director", "agency_admin"})},
         school_path="")
register("core.district", {"view": ALL_ROLES, "change": frozenset({"district_director"})}, restrict=restrict_districts)
register("core.agency", {"view": ALL_ROLES, "change": frozenset({"agency_admin"})}, restrict=restrict_agencies)
