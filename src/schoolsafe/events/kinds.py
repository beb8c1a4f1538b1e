"""The kinds of event, declared by the apps that emit them: emitting a kind nobody declared fails.

Each app lists its kinds in `<app>/event_kinds.py` (`KINDS = (EventKind(...), ...)`), found the way Django's
admin finds each app's `admin.py`: the floor (events, notifications) knows no kind itself. A kind says in
words what happened and who is told, and carries the hints its consumers need: whether notification channels
may carry it (`notice`, the function that words the message) and which kind a channel must carry to get it
too (`carried_with`). `events/tests/test_kinds.py` checks that every kind the code emits is declared here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from schoolsafe.events.models import Event


class UnknownEventKind(ValueError):
    """An event of a kind no installed app declares in its event_kinds.py."""


@dataclass(frozen=True)
class Notice:
    """What a notification channel sends about an event: a subject line, its text and a JSON payload."""

    subject: str
    text: str
    payload: dict[str, Any]


NoticeFunction = Callable[["Event", dict[str, Any]], "Notice | None"]


@dataclass(frozen=True)
class EventKind:
    """One kind of event ("alert.raised"): what it means, who the stream sends it to, and its consumers' hints."""

    name: str
    description: str
    # Who the event reaches, in words (the keys themselves are chosen by the action that emits it).
    audience: str = ""
    # "module:function" `(event, context) -> Notice | None` wording the event for notification channels
    # (email, webhooks, SMS); None: channels never carry this kind.
    notice: str | None = None
    # A channel that carries this other kind carries this one too (its readers would otherwise miss that an
    # incident they were told of became more serious).
    carried_with: str | None = None

    def notice_function(self) -> NoticeFunction | None:
        if self.notice is None:
            return None
        module, _, attribute = self.notice.partition(":")
        return getattr(import_module(module), attribute)


_kinds: dict[str, EventKind] = {}
_discovered = False
_lock = threading.Lock()


def _discover() -> None:
    global _discovered
    with _lock:
        if _discovered:
            return
        for config in apps.get_app_configs():
            module_name = f"{config.name}.event_kinds"
            if find_spec(module_name) is None:
                continue
            for kind in getattr(import_module(module_name), "KINDS", ()):
                _add(kind)
        _discovered = True


def _add(kind: EventKind) -> None:
    known = _kinds.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"event kind {kind.name!r} is declared twice, differently")
    _kinds[kind.name] = kind


def register(*kinds: EventKind) -> None:
    """Declare kinds from code (a test's throwaway kind); apps declare theirs in event_kinds.py."""
    _discover()
    with _lock:
        for kind in kinds:
            _add(kind)


def all_kinds() -> dict[str, EventKind]:
    """Every declared kind, by name."""
    _discover()
    return dict(_kinds)


def get_kind(name: str) -> EventKind:
    """The declared kind `name`; raises UnknownEventKind when no installed app declares it."""
    _discover()
    kind = _kinds.get(name)
    if kind is None:
        raise UnknownEventKind(f"unknown event kind {name!r}: declare it in the emitting app's event_kinds.py")
    return kind


def channel_kinds() -> dict[str, str]:
    """The kinds a notification channel may carry, with their descriptions, in declaration order."""
    return {name: kind.description for name, kind in all_kinds().items() if kind.notice is not None}
