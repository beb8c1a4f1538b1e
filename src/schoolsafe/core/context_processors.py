"""What every page's layout needs: the navigation the registered apps declare, shown as the access policy allows,
and what apps add (their page_context: whether the page listens for events, the school's state, ...)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from schoolsafe import registry
from schoolsafe.access.policy import allowed_roles_for_label, roles_of


def _visible(entry: registry.NavEntry, roles: set[str], user: Any) -> bool:
    """Whether the access policy lets `user` (holding `roles`) see a navigation entry."""
    if entry.permission is None:
        return True
    allowed = allowed_roles_for_label(*entry.permission)
    return bool(roles & allowed) or (user.is_superuser and not entry.needs_membership)


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for contribute in registry.page_context_functions():
        context.update(contribute(request))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**context, "nav_items": []}
    roles = roles_of(user)
    items = []
    for entry in registry.nav_entries():
        if _visible(entry, roles, user):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "current": request.path == url})
    if user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "current": False})
    return {**context, "nav_items": items, "user_roles": sorted(roles)}
