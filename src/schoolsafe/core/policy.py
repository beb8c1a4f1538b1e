"""The access policy: one table of who may do what, applied to querysets.

Every page and endpoint that lists or loads a protected object narrows its queryset with
`Model.objects.restrict(user, action)`. An object outside the result does not exist for that user
(404, never 403), so a user cannot even learn that it exists.

Reach: a membership in a school reaches that school; in a district, the district's schools; in an
agency, the schools the agency serves. What a role may do with each model is in PERMISSIONS; how a
model hangs off a school is its `policy_school_path` (empty for School itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from schoolsafe.accounts.roles import ROLES

if TYPE_CHECKING:
    from schoolsafe.accounts.models import Membership

ALL_ROLES = frozenset(ROLES)
ADMIN_ROLES = frozenset(code for code, role in ROLES.items() if role.admin)

# model label -> action -> roles allowed. The permission-matrix test walks this table against the
# role table and the installed models, so a protected model missing here fails the suite.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "core.school": {
        "view": ALL_ROLES,
        "change": frozenset({"school_admin", "district_director", "agency_admin"}),
    },
    "core.district": {
        "view": ALL_ROLES,
        "change": frozenset({"district_director"}),
    },
    "core.agency": {
        "view": ALL_ROLES,
        "change": frozenset({"agency_admin"}),
    },
}


def register(label: str, actions: dict[str, Iterable[str]]) -> None:
    """Add a capability's model to the permission table (called from the app's policies module)."""
    PERMISSIONS[label] = {action: frozenset(roles) for action, roles in actions.items()}


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, loaded once per user object (one request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, "_schoolsafe_memberships", None)
    if cached is None:
        cached = list(user.memberships.all())
        user._schoolsafe_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {m.role for m in memberships(user)}


def allowed_roles(model: type[models.Model], action: str) -> frozenset[str]:
    return allowed_roles_for_label(model._meta.label_lower, action)


def allowed_roles_for_label(label: str, action: str) -> frozenset[str]:
    """The roles the table allows `action` on the model `label` ("threats.case"); for callers that name a model
    without importing it (the navigation)."""
    table = PERMISSIONS.get(label)
    if table is None:
        raise LookupError(f"{label} is not in the access policy")
    if action not in table:
        raise LookupError(f"{label} has no action {action!r} in the access policy")
    return table[action]


def reached_schools_q(user: Any, roles: Iterable[str]) -> Q:
    """A Q over School for the schools that the user's memberships with one of `roles` reach."""
    roles = set(roles)
    school_ids, district_ids, agency_ids = set(), set(), set()
    for m in memberships(user):
        if m.role not in roles:
            continue
        if m.school_id:
            school_ids.add(m.school_id)
        elif m.district_id:
            district_ids.add(m.district_id)
        elif m.agency_id:
            agency_ids.add(m.agency_id)
    q = Q(pk__in=[])
    if school_ids:
        q |= Q(pk__in=sorted(school_ids))
    if district_ids:
        q |= Q(district_id__in=sorted(district_ids))
    if agency_ids:
        from schoolsafe.core.models import School

        served = School.agencies.through.objects.filter(agency_id__in=sorted(agency_ids))
        q |= Q(pk__in=served.values("school_id"))
    return q


def reached_schools(user: Any, roles: Iterable[str] = ALL_ROLES) -> models.QuerySet:
    from schoolsafe.core.models import School

    return School.objects.filter(reached_schools_q(user, roles))


def restrict(queryset: models.QuerySet, user: Any, action: str) -> models.QuerySet:
    """Narrow `queryset` to the objects `user` may `action`."""
    model = queryset.model
    roles = allowed_roles(model, action)
    if not memberships(user):
        return queryset.none()
    custom = getattr(model, "policy_restrict", None)
    if custom is not None:
        return custom(queryset, user, action, roles)
    path = getattr(model, "policy_school_path", None)
    if path is None:
        raise LookupError(f"{model._meta.label} declares neither policy_school_path nor policy_restrict")
    q = reached_schools_q(user, roles)
    if path == "":
        return queryset.filter(q)
    return queryset.filter(**{f"{path}__in": reached_schools(user, roles).values("pk")})


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may do: `.restrict(user, "view")`."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet:
        return restrict(self, user, action)
