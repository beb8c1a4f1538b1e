"""POST /api/v1/events/receipts: the delivery receipt, anonymous, without permission, with permission."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from schoolsafe.events.emit import emit_event
from schoolsafe.events.models import Receipt
from schoolsafe.events.tests.conftest import bearer
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/receipts"


def post(client: Client, body, **headers):
    return client.post(URL, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json",
                       **headers)


@pytest.fixture
def events(world, teacher_a):
    return {
        "a": emit_event("alert.raised", {}, [f"school:{world.school_a.pk}:staff"]),
        "b": emit_event("alert.raised", {}, [f"school:{world.school_b.pk}:staff"]),
        "mine": emit_event("alert.acknowledged", {}, [f"user:{teacher_a.pk}"]),
    }


def test_anonymous_is_401_and_records_nothing(events):
    response = post(Client(), {"ids": [events["a"].pk]})
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not Receipt.objects.exists()


def test_receipts_only_for_events_the_caller_may_see(events, teacher_a):
    response = post(client_for(teacher_a), {"ids": [events["a"].pk, events["b"].pk, events["mine"].pk, 999999]})
    assert response.status_code == 200
    assert response.json() == {"received": sorted([events["a"].pk, events["mine"].pk])}
    assert set(Receipt.objects.values_list("event_id", "user_id")) == {(events["a"].pk, teacher_a.pk),
                                                                       (events["mine"].pk, teacher_a.pk)}


def test_teacher_of_school_b_cannot_sign_for_school_a(events, teacher_b):
    response = post(client_for(teacher_b), {"ids": [events["a"].pk]})
    assert response.status_code == 200
    assert response.json() == {"received": []}
    assert not Receipt.objects.exists()


def test_receipts_are_idempotent_and_keep_the_first_time(events, teacher_a):
    client = client_for(teacher_a)
    post(client, {"ids": [events["a"].pk]})
    first = Receipt.objects.get().received_at
    response = post(client, {"ids": [events["a"].pk, events["a"].pk]})
    assert response.json() == {"received": [events["a"].pk]}
    assert Receipt.objects.get().received_at == first


def test_bearer_token_works(events, teacher_a):
    headers = {"HTTP_AUTHORIZATION": bearer(teacher_a)["Authorization"]}
    response = post(Client(), {"ids": [events["a"].pk]}, **headers)
    assert response.status_code == 200
    assert response.json() == {"received": [events["a"].pk]}


@pytest.mark.parametrize(("body", "field"), [
    ({}, "ids"),
    ({"ids": "1,2"}, "ids"),
    ({"ids": ["one"]}, "ids"),
    ({"ids": list(range(1001))}, "ids"),
    ("not json", "body"),
])
def test_bad_input_is_a_4xx_naming_the_field(events, teacher_a, body, field):
    response = post(client_for(teacher_a), body)
    assert 400 <= response.status_code < 500
    assert field in response.json()["detail"]
    assert not Receipt.objects.exists()


def test_openapi_describes_the_event_stream_and_the_receipts(teacher_a):
    document = Client().get("/api/v1/openapi.json").json()
    stream = document["paths"]["/api/v1/events"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert {p["name"] for p in stream["parameters"]} >= {"Last-Event-ID", "last_event_id"}
    assert "post" in document["paths"]["/api/v1/events/receipts"]
