"""Loading one protected object for a user: 404 when it is not visible, 403 when visible but not allowed.

Every page, API endpoint and audited read loads through `get_or_404` (each app names its loaders
`access_<noun>(user, id, action)` in its policies module, on top of it), so the rule and its wording are
the same everywhere:

- an object outside `restrict(user, "view")` does not exist for the user: 404 "Not found.", the same
  answer as for an id that was never used, so that nobody learns what exists where they cannot look;
- an object the user sees but may not `action` is a 403: they already know it exists, and "you may not"
  is the truthful answer (a 404 would send them looking for a broken link).

The exceptions are Django's (`Http404`, `PermissionDenied`): pages show the project's 404 and 403 pages,
and the API maps both to its `{"detail": ...}` error shape (schoolsafe/api/api.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

NOT_FOUND = "Not found."

M = TypeVar("M", bound=models.Model)


class NotVisible(Http404):
    """The object does not exist for this user (it may exist for another)."""

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


class NotAllowed(PermissionDenied):
    """The user sees the object but may not do the action on it."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"You may not {action.replace('_', ' ')} this.")


def get_or_404(queryset: models.QuerySet[M], user: Any, action: str = "view", **lookup: Any) -> M:
    """The one object of `queryset` matching `lookup` that `user` may `action` (the policy's restrict).

    NotVisible (404) if the user may not see it or there is none; NotAllowed (403) if they see it but the
    action is not theirs. The second query runs only on a refusal."""
    obj = queryset.restrict(user, action).filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is not None:
        return obj
    if action != "view" and queryset.restrict(user, "view").filter(**lookup).exists():  # type: ignore[attr-defined]
        raise NotAllowed(action)
    raise NotVisible()


def may_do(obj: models.Model, user: Any, action: str) -> bool:
    """Whether `user` may `action` the object `obj` (which they may see): for a page's buttons."""
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]
