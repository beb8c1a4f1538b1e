"""Who manages the public portal's campaigns and events: community liaisons, program coordinators,
district directors and agency administrators, each for their own district or agency. Reading
published content needs no role at all (it is public) and does not go through the policy."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.policy import organizations_of, register
from schoolsafe.public.models import PUBLISHERS


def own_content(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Staff manage the campaigns and events of their own district or agency (the public sees the
    published ones without going through the policy: they are public)."""
    q = Q(pk__in=[])
    for key in organizations_of(user, roles):
        if key.kind in ("district", "agency"):
            q |= Q(**{f"{key.kind}_id": key.id})
    return queryset.filter(q)


register("public.campaign", {"view": PUBLISHERS, "change": PUBLISHERS}, restrict=own_content)
register("public.publicevent", {"view": PUBLISHERS, "change": PUBLISHERS}, restrict=own_content)
