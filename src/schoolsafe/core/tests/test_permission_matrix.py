"""The permission matrix: every role × every protected model × every action, generated from the tables.

For each role, granted in each kind of organization it may be granted in (`access.roles.ROLES`), and each
model and action in `access.policy.PERMISSIONS`: one object in a school the membership reaches and one in a
school it does not. An allowed role sees the reached object and never the unreached one; a role that is
not allowed sees nothing at all. The object builders live in each app's `tests/matrix.py` (protocol in
core/tests/matrix.py); a protected model without one, or missing from PERMISSIONS, fails the suite.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from schoolsafe.access.policy import PERMISSIONS, RestrictedQuerySet
from schoolsafe.access.roles import ROLES
from schoolsafe.core.tests.matrix import Spec
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import make_person

PROJECT = "schoolsafe."


def load_specs() -> tuple[dict[str, Spec], dict[str, str]]:
    """Every app's MATRIX, and where each entry came from."""
    specs: dict[str, Spec] = {}
    origin: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT):
            continue
        module_name = f"{config.name}.tests.matrix"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name in (module_name, f"{config.name}.tests"):
                continue
            raise
        for label, spec in getattr(module, "MATRIX", {}).items():
            assert label not in specs, f"{label} has builders in both {origin[label]} and {module_name}"
            specs[label] = spec
            origin[label] = module_name
    return specs, origin


SPECS, ORIGIN = load_specs()


def restricted_manager(model: type[models.Model]) -> models.Manager | None:
    """The model's manager that can `.restrict()`, if it has one (the mark of a protected model)."""
    for manager in model._meta.managers:
        if isinstance(manager.get_queryset(), RestrictedQuerySet):
            return manager
    return None


def protected_models() -> dict[str, type[models.Model]]:
    return {
        model._meta.label_lower: model
        for model in apps.get_models()
        if model.__module__.startswith(PROJECT) and restricted_manager(model) is not None
    }


def test_every_protected_model_is_in_the_policy_and_the_matrix():
    protected = protected_models()
    problems = [f"{label}: has a restrict manager but is not in access.policy.PERMISSIONS (register it)"
                for label in sorted(set(protected) - set(PERMISSIONS))]
    problems += [f"{label}: in PERMISSIONS but no installed model has a restrict manager"
                 for label in sorted(set(PERMISSIONS) - set(protected))]
    problems += [f"{label}: no object builder; add it to {label.split('.')[0]}/tests/matrix.py (see core/tests/matrix.py)"
                 for label in sorted(set(PERMISSIONS) - set(SPECS))]
    problems += [f"{label}: a builder in {ORIGIN[label]} for a model not in PERMISSIONS"
                 for label in sorted(set(SPECS) - set(PERMISSIONS))]
    assert not problems, "\n".join(problems)


def test_every_role_is_in_the_matrix():
    assert CASES, "the matrix generated no case"
    covered = {(role, kind) for _, _, role, kind in CASES}
    assert covered == {(code, kind) for code, role in ROLES.items() for kind in role.org_kinds}
    for label, actions in PERMISSIONS.items():
        for action, roles in actions.items():
            assert roles <= set(ROLES), f"{label}.{action} names roles that do not exist: {sorted(roles - set(ROLES))}"


CASES = [
    (label, action, role, kind)
    for label in sorted(PERMISSIONS)
    for action in PERMISSIONS[label]
    for role in sorted(ROLES)
    for kind in sorted(ROLES[role].org_kinds)
]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas sign in nowhere here; Argon2's deliberate slowness would make 1,000 cases take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def organization(world: Any, kind: str) -> Any:
    """The organization a persona of this kind belongs to: the ones that reach school A, not school B."""
    return {"school": world.school_a, "district": world.district_a, "agency": world.agency_a}[kind]


def build_pair(label: str, user: Any, world: Any) -> tuple[type[models.Model], Spec, Any, Any]:
    spec = SPECS.get(label)
    if spec is None:
        pytest.fail(f"{label} has no object builder; add it to {label.split('.')[0]}/tests/matrix.py")
    model = apps.get_model(label)
    reached = spec.build(world.school_a, user)
    unreached = spec.build(world.school_b, user)
    for obj, where in ((reached, "school A"), (unreached, "school B")):
        assert isinstance(obj, model), f"the {label} builder returned {obj!r} for {where}"
    assert reached.pk != unreached.pk, f"the {label} builder returned the same object for both schools"
    return model, spec, reached, unreached


@pytest.mark.parametrize(("label", "action", "role", "kind"), CASES,
                         ids=[f"{label}:{action}:{role}@{kind}" for label, action, role, kind in CASES])
def test_matrix(world, label, action, role, kind):
    user = make_person(f"{role}_{kind}", role, organization(world, kind), kind)
    model, spec, reached, unreached = build_pair(label, user, world)
    visible = set(restricted_manager(model).restrict(user, action).values_list("pk", flat=True))
    allowed = role in PERMISSIONS[label][action]
    if not allowed or action in spec.lists_nothing:
        assert visible == set(), f"{role}@{kind} may not {action} {label}, yet sees {sorted(visible)}"
        return
    expected = spec.sees(role, kind, action) if spec.sees is not None else True
    assert (reached.pk in visible) is expected, (
        f"{role}@{kind} {'should' if expected else 'should not'} be able to {action} the {label} of a school it reaches"
    )
    assert unreached.pk not in visible, f"{role}@{kind} can {action} the {label} of a school it does not reach"


@pytest.mark.parametrize("label", sorted(PERMISSIONS))
def test_a_platform_administrator_without_membership(world, label):
    """A superuser with no membership sees no school's records, except what the model's spec grants."""
    user = UserFactory(username="platform_admin", is_superuser=True, is_staff=True)
    model, spec, reached, unreached = build_pair(label, user, world)
    for action in PERMISSIONS[label]:
        visible = set(restricted_manager(model).restrict(user, action).values_list("pk", flat=True))
        if action in spec.superuser_actions:
            assert {reached.pk, unreached.pk} <= visible
        else:
            assert visible == set(), f"a superuser without membership can {action} {label}: {sorted(visible)}"
