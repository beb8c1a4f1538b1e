"""Who may read the audit log: agency and district administrators, for their own organizations'
schools (see `AuditEntry.policy_restrict`); platform administrators (superusers) read all of it.

Nobody may change it: there is no "change" action, and the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from typing import Any

from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.policy import allowed_roles, register, roles_of

AUDIT_READERS = frozenset({"agency_admin", "district_director"})

register("audit.auditentry", {"view": AUDIT_READERS})


def may_read_audit_log(user: Any) -> bool:
    """Whether the audit page exists for this user (a superuser, or a holder of an audit-reading role)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or roles_of(user) & allowed_roles(AuditEntry, "view"))
