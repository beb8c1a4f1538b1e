"""The permission matrix's object builders for core's models, and the protocol every app follows.

Each app with protected models (a manager built on `RestrictedQuerySet`) keeps a `tests/matrix.py` with a
`MATRIX = {"app.model": Spec(build=...)}` entry per model in `access.policy.PERMISSIONS`. The matrix test
(core/tests/test_permission_matrix.py) finds these modules itself and fails for a protected model that has
no entry, so a new model cannot be left out.

`build(school, user)` makes one object of the model that belongs to `school` and returns it. It is called
twice per case: with a school the user's membership reaches and with one it does not. It may link the
object to the user where the domain does (a seat on a team, an assignment), but only memberships may make
a school reached: whatever it links, the object in the unreached school must stay invisible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Spec:
    """How the permission matrix builds and judges one protected model."""

    build: Callable[[Any, Any], Model]
    # Actions that restrict() never lists for anyone (checked elsewhere, e.g. "refer" a concern).
    lists_nothing: frozenset[str] = frozenset()
    # For a policy that grants by (organization kind, role), not by role alone: whether an allowed role,
    # granted in an organization of this kind, sees the reached object. None: every allowed role does.
    sees: Callable[[str, str, str], bool] | None = None
    # What a platform administrator (superuser, no membership) sees: by default nothing.
    superuser_actions: frozenset[str] = field(default_factory=frozenset)


def _agency_serving(school: Any, user: Any) -> Model:
    return school.agencies.order_by("pk").first()


MATRIX: dict[str, Spec] = {
    "core.school": Spec(build=lambda school, user: school),
    "core.district": Spec(build=lambda school, user: school.district),
    "core.agency": Spec(build=_agency_serving),
}
