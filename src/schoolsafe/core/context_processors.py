"""What every page's layout needs: the navigation the registered apps declare, shown as the access policy allows,
whether the page listens for events (every page of a fully signed-in user), and what apps add (page_context)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from schoolsafe.access.policy import allowed_roles_for_label, roles_of
from schoolsafe.accounts.mfa import second_factor_required
from schoolsafe.core import registry
from schoolsafe.events.bus import newest_event_id


def _visible(entry: registry.NavEntry, roles: set[str], user: Any) -> bool:
    """Whether the access policy lets `user` (holding `roles`) see a navigation entry."""
    if entry.permission is not None:
        allowed = allowed_roles_for_label(*entry.permission)
    elif entry.roles is not None:
        allowed = registry.resolve(entry.roles)
    else:
        return True
    return bool(roles & allowed) or (user.is_superuser and not entry.needs_membership)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(user)
    items = []
    for entry in registry.nav_entries():
        if _visible(entry, roles, user):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "current": request.path == url})
    if user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "current": False})
    # A user still owing a second factor gets no event stream (it would answer 401) and no banner.
    listens = not second_factor_required(user) or bool(getattr(user, "is_verified", lambda: False)())
    context: dict[str, Any] = {"nav_items": items, "user_roles": sorted(roles), "listens_for_alerts": listens,
                               "events_since": newest_event_id}
    for contribute in registry.page_context_functions():
        context.update(contribute(request))
    return context
