"""What a locked screen may receive: the kinds of event that still reach a locked session, and their headline.

Delivery never depends on an active session (docs/alerts.md, docs/accounts.md): a session locked after 30
idle minutes keeps its event stream, but only for the kinds an app registers here (the alerts app: an alert
raised, its all clear, its cancellation), and each as its headline only (the app's `headline` function),
not the details the password protects. The floor knows no kind itself; apps register in `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Headline = Callable[[dict[str, Any]], dict[str, Any]]

_HEADLINES: dict[str, Headline] = {}


def register_locked_kinds(kinds: Iterable[str], headline: Headline) -> None:
    """Let events of `kinds` reach locked sessions, reduced by `headline` (data -> the fields a locked
    screen may show)."""
    for kind in kinds:
        _HEADLINES[kind] = headline


def locked_kinds() -> list[str]:
    return sorted(_HEADLINES)


def locked_view(kind: str, data: Any) -> dict[str, Any] | None:
    """The headline of an event for a locked screen, or None when locked screens do not get this kind."""
    headline = _HEADLINES.get(kind)
    if headline is None or not isinstance(data, dict):
        return None
    return headline(data)
