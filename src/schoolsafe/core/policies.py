"""Who may see and change the organizations: agencies, districts and schools (rows of the access policy).

Everyone with a role sees the organizations they belong to and those their schools deal with (a teacher
sees the district and the agencies that police the school); each organization is changed by its own
administrators.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import NotAllowed, NotVisible, get_or_404
from schoolsafe.access.policy import ALL_ROLES, allowed_roles_for_label, reached_schools, register


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


def _reaches(user: Any, label: str, action: str, **where: Any) -> bool:
    return reached_schools(user, allowed_roles_for_label(label, action)).filter(**where).exists()


def access_school(user: Any, school_id: int, label: str = "core.school", action: str = "view") -> Any:
    """The school, for a page or endpoint about one school's `label` (its plan, site map, protocol).

    404 if the user does not see the school, or sees it but not its `label` (a programme coordinator and
    the school's site map); 403 if they see its `label` but may not `action` it (a teacher and the
    responder packet). The same reach rule as every restrict (`reached_schools`)."""
    from schoolsafe.core.models import School

    school = get_or_404(School.objects.select_related("district"), user, "view", pk=school_id)
    if label != "core.school" and not _reaches(user, label, "view", pk=school.pk):
        raise NotVisible()
    if action != "view" and not _reaches(user, label, action, pk=school.pk):
        raise NotAllowed(action)
    return school


def access_district(user: Any, district_id: int, label: str = "core.district", action: str = "view") -> Any:
    """The district, for a page about the whole district's `label` (a plan template): 404 if the user does
    not see the district or its `label`, 403 if they see it but may not `action` it."""
    from schoolsafe.core.models import District

    district = get_or_404(District.objects.all(), user, "view", pk=district_id)
    if label != "core.district" and not _reaches(user, label, "view", district_id=district.pk):
        raise NotVisible()
    if action != "view" and not _reaches(user, label, action, district_id=district.pk):
        raise NotAllowed(action)
    return district
