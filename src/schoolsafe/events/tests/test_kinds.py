"""Event kinds are declared by the apps that emit them, and the outbox's consumers run in the emitting
transaction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from schoolsafe.events import consumers
from schoolsafe.events.emit import emit_event
from schoolsafe.events.kinds import EventKind, UnknownEventKind, all_kinds, channel_kinds, register
from schoolsafe.events.models import Event

PACKAGE = Path(__file__).resolve().parents[2]
# The functions that emit an event, and the position of the kind among their arguments.
EMITTERS = {"emit_event": 0, "_emit": 0, "_end_alert": 3}


def _emitted_kinds() -> dict[str, str]:
    """Every kind given as a literal to an emitting call in the code (tests excluded), with where."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = EMITTERS.get(name or "")
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found[argument.value] = f"{path.relative_to(PACKAGE)}:{node.lineno}"
    return found


def test_every_kind_the_code_emits_is_declared():
    emitted = _emitted_kinds()
    assert len(emitted) > 15, "the scan found too few emitting calls: has an emitter been renamed?"
    missing = {kind: where for kind, where in emitted.items() if kind not in all_kinds()}
    assert not missing, f"declare these in the emitting app's event_kinds.py: {missing}"


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_and_writes_nothing(world):
    with pytest.raises(UnknownEventKind, match="event_kinds.py"):
        emit_event("drill.scheduled", {}, [f"school:{world.school_a.pk}:staff"])
    assert not Event.objects.exists()


def test_channels_are_offered_the_kinds_with_a_notice_in_declaration_order():
    assert list(channel_kinds()) == ["alert.raised", "alert.escalated", "alert.action_changed", "alert.all_clear",
                                     "alert.cancelled", "alert.threat_location", "tip.escalated", "tip.dispatch",
                                     # The SRO program's MOU review reminders (sro/event_kinds.py).
                                     "sro.mou_review_due",
                                     # Partnership: action-item reminders.
                                     "partnership.action_item_due_soon", "partnership.action_item_overdue"]
    assert all_kinds()["alert.action_changed"].carried_with == "alert.raised"


def test_a_kind_cannot_be_declared_twice_differently():
    with pytest.raises(ValueError, match="declared twice"):
        register(EventKind("alert.raised", "something else"))


@pytest.fixture
def throwaway_kind():
    register(EventKind("test.consumed", "A kind only this test emits"))
    seen: list[tuple[int, dict]] = []

    def consumer(event, context):
        seen.append((event.pk, context))
        Event.objects.filter(pk=event.pk).update(subject_id="consumed")

    def failing(event, context):
        Event.objects.filter(pk=event.pk).update(subject_type="half-done")
        raise RuntimeError("a consumer that breaks")

    consumers.register_consumer("test.consumed", consumer)
    consumers.register_consumer(lambda kind: kind == "test.consumed", failing)
    yield seen
    consumers._consumers[:] = [(m, c) for m, c in consumers._consumers if c not in (consumer, failing)]


@pytest.mark.django_db
def test_consumers_run_in_the_emitting_transaction_and_a_failing_one_stops_nothing(world, throwaway_kind, caplog):
    event = emit_event("test.consumed", {}, [f"school:{world.school_a.pk}:staff"], context={"actor": "someone"})
    assert throwaway_kind == [(event.pk, {"actor": "someone"})]
    stored = Event.objects.get(pk=event.pk)
    # The good consumer's write stands; the failing one's is rolled back to its savepoint, and logged.
    assert (stored.subject_id, stored.subject_type) == ("consumed", "")
    assert "a consumer that breaks" in caplog.text


@pytest.mark.django_db
def test_what_consumers_write_rolls_back_with_the_event(world, throwaway_kind):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        emit_event("test.consumed", {}, [f"school:{world.school_a.pk}:staff"])
        raise Boom
    assert len(throwaway_kind) == 1 and not Event.objects.exists()
