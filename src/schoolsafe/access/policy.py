"""The access policy: one table of who may do what, applied to querysets.

Every page and endpoint that lists or loads a protected object narrows its queryset with
`Model.objects.restrict(user, action)` (or loads one through `schoolsafe.access.loaders`). An object
outside `restrict(user, "view")` does not exist for that user: a 404, so that a user cannot even learn
that it exists. One the user sees but may not act on is a 403.

Reach: a membership in a school reaches that school; in a district, the district's schools; in an
agency, the schools the agency serves. What a role may do with each model is in PERMISSIONS; how the
model's rows are narrowed is registered with them: a `school_path` (how the model hangs off a school,
"" for School itself) or a `restrict` rule, both given to `register` in the app's policies module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.roles import ROLES

ALL_ROLES = frozenset(ROLES)
ADMIN_ROLES = frozenset(code for code, role in ROLES.items() if role.admin)

# (queryset, user, action, roles allowed the action) -> the rows the user may do the action on.
RestrictRule = Callable[[models.QuerySet, Any, str, frozenset[str]], models.QuerySet]


@dataclass(frozen=True)
class Rule:
    """How one model's rows are narrowed: by the school they hang off, or by a rule of the app's."""

    school_path: str | None = None
    restrict: RestrictRule | None = None


# model label -> action -> roles allowed. The permission-matrix test walks this table against the
# role table and the installed models, so a protected model missing here fails the suite.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {}
# model label -> how its rows are narrowed (registered with its rows).
RULES: dict[str, Rule] = {}


def register(label: str, actions: Mapping[str, Iterable[str]], *, school_path: str | None = None,
             restrict: RestrictRule | None = None) -> None:
    """Add a model to the permission table with its restrict rule (called from the app's policies module).

    `school_path`: the lookup from the model to its school ("school", "plan__school"; "" for School).
    `restrict`: a rule `(queryset, user, action, roles) -> queryset` for a model that does not simply hang
    off a school; it wins over `school_path`, which then only names the school for the audit log
    (schoolsafe/audit/log.py).

    Another app may add actions to a model's row without a rule (the alerts app's "panic_credentials" on
    `core.school`: the schools where one issues panic buttons), whichever app registers first; an action
    registered twice with different roles is an error, as is a second rule.
    """
    row = PERMISSIONS.setdefault(label, {})
    for action, given in actions.items():
        roles = frozenset(given)
        if row.get(action, roles) != roles:
            raise ValueError(f"{label}: action {action!r} is already registered with other roles")
        row[action] = roles
    if school_path is not None or restrict is not None:
        if label in RULES and RULES[label] != Rule(school_path=school_path, restrict=restrict):
            raise ValueError(f"{label}: a restrict rule is already registered")
        RULES[label] = Rule(school_path=school_path, restrict=restrict)


def school_path(model: type[models.Model] | models.Model) -> str | None:
    """The lookup from `model` to its school ("" for School itself), or None if it has none."""
    rule = RULES.get(model._meta.label_lower)
    return rule.school_path if rule else None


def memberships(user: Any) -> list[Any]:
    """The user's memberships (`accounts.Membership` rows), loaded once per user object (one request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, "_schoolsafe_memberships", None)
    if cached is None:
        cached = list(user.memberships.all())
        user._schoolsafe_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {m.role for m in memberships(user)}


def organizations_of(user: Any, roles: Iterable[str]) -> set[OrgKey]:
    """The organizations where `user` holds one of `roles`."""
    roles = set(roles)
    return {OrgKey.owner_of(m) for m in memberships(user) if m.role in roles}


def allowed_roles(model: type[models.Model] | models.Model, action: str) -> frozenset[str]:
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


def may(user: Any, label: str, action: str) -> bool:
    """Whether `user` holds, anywhere, a role the table allows `action` on `label`: whether a page that
    does the action exists for them (what they may do it on is still restrict's to say)."""
    return bool(roles_of(user) & allowed_roles_for_label(label, action))


def reached_schools_q(user: Any, roles: Iterable[str]) -> Q:
    """A Q over School for the schools that the user's memberships with one of `roles` reach."""
    ids: dict[str, set[int]] = {"school": set(), "district": set(), "agency": set()}
    for key in organizations_of(user, roles):
        ids[key.kind].add(key.id)
    q = Q(pk__in=[])
    if ids["school"]:
        q |= Q(pk__in=sorted(ids["school"]))
    if ids["district"]:
        q |= Q(district_id__in=sorted(ids["district"]))
    if ids["agency"]:
        served = apps.get_model("core", "School").agencies.through.objects.filter(agency_id__in=sorted(ids["agency"]))
        q |= Q(pk__in=served.values("school_id"))
    return q


def reached_schools(user: Any, roles: Iterable[str] = ALL_ROLES) -> models.QuerySet:
    return apps.get_model("core", "School").objects.filter(reached_schools_q(user, roles))


def restrict(queryset: models.QuerySet, user: Any, action: str) -> models.QuerySet:
    """Narrow `queryset` to the objects `user` may `action`."""
    label = queryset.model._meta.label_lower
    roles = allowed_roles_for_label(label, action)
    if not memberships(user):
        return queryset.none()
    rule = RULES.get(label, Rule())
    if rule.restrict is not None:
        return rule.restrict(queryset, user, action, roles)
    if rule.school_path is None:
        raise LookupError(f"{label} was registered with neither a school_path nor a restrict rule")
    if rule.school_path == "":
        return queryset.filter(reached_schools_q(user, roles))
    return queryset.filter(**{f"{rule.school_path}__in": reached_schools(user, roles).values("pk")})


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may do: `.restrict(user, "view")`."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet:
        return restrict(self, user, action)
