"""The audit log in the permission matrix (see core/tests/matrix.py)."""

from __future__ import annotations

from schoolsafe.audit.log import record
from schoolsafe.core.tests.matrix import Spec

MATRIX = {
    "audit.auditentry": Spec(
        build=lambda school, user: record("system", "test.matrix", organization=f"school:{school.pk}"),
        superuser_actions=frozenset({"view"}),
    ),
}
