"""What the event stream adds to every page (the events app's page_context): whether the page listens for
events, and the newest event when it was drawn (where its stream starts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def page_context(request: HttpRequest) -> dict[str, Any]:
    """Every page of a fully signed-in user listens; a user still owing a second factor does not (their stream
    would answer 401, and they would see no banner). The lock screen listens too: its view says so."""
    from schoolsafe.accounts.mfa import second_factor_required
    from schoolsafe.events.bus import newest_event_id

    user = getattr(request, "user", None)
    listens = bool(user is not None and user.is_authenticated
                   and (not second_factor_required(user) or getattr(user, "is_verified", lambda: False)()))
    # A callable: the query runs only on a page that renders it (a listening one).
    return {"listens_for_alerts": listens, "events_since": newest_event_id}
