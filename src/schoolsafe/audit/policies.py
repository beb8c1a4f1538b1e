"""Who may read the audit log: agency and district administrators, for their own organizations'
schools (`restrict_audit`); platform administrators (superusers) read all of it.

Nobody may change it: there is no "change" action, and the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import allowed_roles, organizations_of, reached_schools, register, roles_of
from schoolsafe.audit.models import AuditEntry

AUDIT_READERS = frozenset({"agency_admin", "district_director"})


def organization_keys(user: Any, roles: frozenset[str]) -> set[str]:
    """The organizations ("district:3", "school:12") whose audit rows the user's `roles` reach: the
    organizations of those memberships and the schools they reach."""
    keys = {str(key) for key in organizations_of(user, roles)}
    return keys | {str(OrgKey.school(pk)) for pk in reached_schools(user, roles).values_list("pk", flat=True)}


def restrict_audit(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """An administrator sees the rows of the organization they administer and of the schools it
    reaches (a district's schools, the schools an agency serves); nobody else sees any."""
    return queryset.filter(organization__in=sorted(organization_keys(user, roles)))


register("audit.auditentry", {"view": AUDIT_READERS}, restrict=restrict_audit)


def may_read_audit_log(user: Any) -> bool:
    """Whether the audit page exists for this user (a superuser, or a holder of an audit-reading role)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or roles_of(user) & allowed_roles(AuditEntry, "view"))
