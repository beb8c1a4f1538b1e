"""Bad input gets a 4xx whose JSON detail names the problem, and writes nothing at all."""

from __future__ import annotations

import json

import pytest

from schoolsafe.alerts.models import Alert, EscalationTimer, IdempotencyKey
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event

pytestmark = pytest.mark.django_db


def assert_nothing_written():
    assert not Alert.objects.exists()
    assert not Event.objects.exists()
    assert not EscalationTimer.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="alerts.").exists()


def test_an_unknown_action_is_named(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="panic"), **{"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("action: Input should be 'hold', 'secure', 'lockdown'")
    assert_nothing_written()


def test_an_unknown_school_is_named(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, school=424242))
    assert response.status_code == 404
    assert response.json()["detail"] == "school: no school 424242 that you can see"
    assert_nothing_written()


def test_a_school_that_is_not_a_number_is_named(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, school="the big one"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("school: ")
    assert_nothing_written()


@pytest.mark.parametrize("raw", ['{"school": 1, "action": "lockdown"', "lockdown now!", "", "\xff\xfe{"])
def test_malformed_json_is_refused(api, world, teacher_a, raw):
    response = api(teacher_a).post(ALERTS_URL, raw=raw.encode("latin-1"))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("body: ")
    assert_nothing_written()


def test_json_that_is_not_an_object_is_refused(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, raw=json.dumps([lockdown(world.school_a)]))
    assert response.status_code == 422
    assert response.json()["detail"] == "body: must be a JSON object"
    assert_nothing_written()


def test_a_body_over_64_kb_is_refused_before_it_is_parsed(api, world, teacher_a):
    body = json.dumps(lockdown(world.school_a, reason="x" * (64 * 1024)))
    response = api(teacher_a).post(ALERTS_URL, raw=body)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail.startswith("body: ") and "64 KB" in detail
    assert_nothing_written()


def test_a_body_just_under_64_kb_is_parsed_and_its_long_reason_named(api, world, teacher_a):
    body = json.dumps(lockdown(world.school_a, reason="x" * 60_000))
    response = api(teacher_a).post(ALERTS_URL, raw=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("reason: String should have at most 500 characters")
    assert_nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tier": "urgent"}, "tier: "),
        ({"exercise": "yes"}, "exercise: "),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"action": "shelter"}, "hazard: required for shelter"),
        ({"action": "shelter", "hazard": "volcano"}, "hazard: "),
        ({"action": "shelter", "hazard": "other"}, "strategy: required when the hazard is 'other'"),
        ({"hazard": "tornado"}, "hazard: only for shelter"),
        ({"action": "evacuate"}, "evacuate_to: required for evacuate"),
        ({"evacuate_to": "the gym"}, "evacuate_to: only for evacuate"),
        ({"location": {"latitude": 28.9}}, "location: "),
        ({"location": {"building": "C", "floor": 2}}, "location.floor: Extra inputs are not permitted"),
        ({"location": {"latitude": 123, "longitude": 0}}, "location.latitude: "),
    ],
)
def test_each_bad_field_is_named(api, world, teacher_a, overrides, field):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, **overrides))
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert_nothing_written()


def test_a_missing_action_and_school_are_both_named(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, {"tier": "emergency"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "school: Field required" in detail and "action: Field required" in detail
    assert_nothing_written()
