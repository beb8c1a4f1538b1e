"""Emitting events: the outbox row lives and dies with the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from schoolsafe.events.emit import emit_event
from schoolsafe.events.models import Event

pytestmark = pytest.mark.django_db


def test_event_is_written_with_its_audience_school_and_subject(world, teacher_a):
    event = emit_event("alert.raised", {"action": "lockdown"}, [f"school:{world.school_a.pk}:staff",
                                                                f"user:{teacher_a.pk}", f"user:{teacher_a.pk}"],
                       school=world.school_a, subject=world.school_a)
    stored = Event.objects.get(pk=event.pk)
    assert stored.kind == "alert.raised"
    assert stored.data == {"action": "lockdown"}
    assert stored.audience == sorted({f"school:{world.school_a.pk}:staff", f"user:{teacher_a.pk}"})
    assert stored.school == world.school_a
    assert (stored.subject_type, stored.subject_id) == ("core.school", str(world.school_a.pk))


def test_event_rolls_back_with_the_callers_transaction(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        emit_event("alert.raised", {}, [f"school:{world.school_a.pk}:staff"])
        raise Boom
    assert not Event.objects.exists()


def test_ids_grow(world):
    ids = [emit_event("alert.raised", {"n": i}, [f"school:{world.school_a.pk}:staff"]).pk for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


@pytest.mark.parametrize(("kind", "data", "audience", "problem"), [
    ("Alert Raised", {}, ["user:1"], "not an event kind"),
    ("alert.raised\nevent: x", {}, ["user:1"], "not an event kind"),
    ("alert.raised", [], ["user:1"], "must be a dict"),
    ("alert.raised", {}, [], "at least one audience key"),
    ("alert.raised", {}, ["everyone"], "not an audience key"),
])
def test_bad_events_are_refused_and_write_nothing(kind, data, audience, problem):
    with pytest.raises(ValueError, match=problem):
        emit_event(kind, data, audience)
    assert not Event.objects.exists()


def test_visible_to_is_the_audience_rule_in_the_database(world, teacher_a, teacher_b):
    from schoolsafe.events.audience import keys_for_user

    a = emit_event("alert.raised", {}, [f"school:{world.school_a.pk}:staff"])
    both = emit_event("alert.message", {}, [f"school:{world.school_a.pk}:staff", f"school:{world.school_b.pk}:staff"])
    mine = emit_event("alert.acknowledged", {}, [f"user:{teacher_b.pk}"])
    assert list(Event.objects.visible_to(keys_for_user(teacher_a))) == [a, both]
    assert list(Event.objects.visible_to(keys_for_user(teacher_b))) == [both, mine]
    assert list(Event.objects.visible_to([])) == []
