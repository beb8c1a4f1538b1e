"""What other apps may read of, and add to, the SRO program.

The training app (to come) registers its requirement check here, so that the coverage board can say
whether each assignee's required training is current without the SRO program importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# fn(user, assignment_type) -> the names of the requirements missing or expired ([] when all are current),
# or None when the app does not know (no record for this person or this type).
TrainingCheck = Callable[[Any, str], "list[str] | None"]

_training_checks: list[TrainingCheck] = []


def register_training_check(fn: TrainingCheck) -> None:
    """Add a training requirement check (called from the training app's `ready()`)."""
    if fn not in _training_checks:
        _training_checks.append(fn)


def unregister_training_check(fn: TrainingCheck) -> None:
    if fn in _training_checks:
        _training_checks.remove(fn)


def training_status(user: Any, assignment_type: str) -> list[str] | None:
    """What the registered checks say: None (unknown) when none is registered or none knows; otherwise the
    missing or expired requirements every check that knows reports, in order, without repeats."""
    known = False
    missing: list[str] = []
    for check in _training_checks:
        result = check(user, assignment_type)
        if result is None:
            continue
        known = True
        missing.extend(name for name in result if name not in missing)
    return missing if known else None
