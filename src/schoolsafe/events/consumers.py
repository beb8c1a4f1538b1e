"""What happens because of an event besides the stream: consumers of the outbox, run in the emitting
transaction.

An app that acts on other apps' events (notifications words them for email, webhooks and SMS; reach wakes
people's devices) registers a consumer in its `ready()`; the emitting app imports neither. A consumer runs
right after the event row is written, in the same transaction, so what it writes (a delivery row, a push
message) exists if and only if the event commits, and is sent after the commit by that app's own worker
loop. A consumer that fails is logged and rolled back to its savepoint: it never stops the action that
emitted the event (the in-app alert is what must not fail; the other paths are second paths).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from schoolsafe.events.models import Event

logger = logging.getLogger("schoolsafe.events")

Consumer = Callable[["Event", dict[str, Any]], Any]
_consumers: list[tuple[Callable[[str], bool], Consumer]] = []


def register_consumer(kinds: str | Iterable[str] | Callable[[str], bool], consumer: Consumer) -> None:
    """Run `consumer(event, context)` for every event of `kinds` (a kind, several, or a predicate on the kind).

    `context` holds what the emitting action passed beside the event for its consumers and the stream does
    not carry (who acted, the organizations concerned); it is never stored. Registering twice is harmless.
    """
    if callable(kinds):
        matches = kinds
    else:
        names = frozenset([kinds] if isinstance(kinds, str) else kinds)
        matches = names.__contains__
    if any(existing is consumer for _, existing in _consumers):
        return
    _consumers.append((matches, consumer))


def run_consumers(event: Event, context: dict[str, Any]) -> None:
    """Run the consumers of `event` in the caller's transaction, each in a savepoint."""
    for matches, consumer in list(_consumers):
        if not matches(event.kind):
            continue
        try:
            with transaction.atomic():
                consumer(event, context)
        except Exception:
            logger.exception("%s %s: consumer %s failed; the event stands", event.kind, event.pk,
                             getattr(consumer, "__qualname__", consumer))
