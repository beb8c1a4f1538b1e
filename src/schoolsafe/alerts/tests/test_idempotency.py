"""Idempotency-Key with Stripe's semantics: a retry never raises a second alert."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.utils import timezone

from schoolsafe.alerts import actions
from schoolsafe.alerts.models import Alert, AlertReport, IdempotencyKey
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.events.models import Event

KEY = {"Idempotency-Key": "6f1c2a1e-teacher-a-lockdown"}


@pytest.mark.django_db
def test_the_same_key_and_body_return_the_first_answer_and_create_nothing(api, world, teacher_a):
    client = api(teacher_a)
    first = client.post(ALERTS_URL, lockdown(world.school_a), **KEY)
    retry = client.post(ALERTS_URL, lockdown(world.school_a), **KEY)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Alert.objects.count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1


@pytest.mark.django_db
def test_the_same_body_written_differently_is_the_same_request(api, world, teacher_a):
    client = api(teacher_a)
    body = lockdown(world.school_a)
    first = client.post(ALERTS_URL, raw=json.dumps(body), **KEY)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    retry = client.post(ALERTS_URL, raw=reordered, **KEY)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api, world, teacher_a):
    client = api(teacher_a)
    assert client.post(ALERTS_URL, lockdown(world.school_a), **KEY).status_code == 201
    other = client.post(ALERTS_URL, lockdown(world.school_a, action="evacuate", evacuate_to="the field"), **KEY)

    assert other.status_code == 422
    assert other.json()["detail"].startswith("Idempotency-Key: already used with a different request")
    assert Alert.objects.count() == 1 and Alert.objects.get().action == "lockdown"


@pytest.mark.django_db
def test_keys_belong_to_one_user(api, world, teacher_a, principal_a):
    assert api(teacher_a).post(ALERTS_URL, lockdown(world.school_a), **KEY).status_code == 201
    second = api(principal_a).post(ALERTS_URL, lockdown(world.school_a), **KEY)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    # Not a replay of the teacher's answer: the principal's own report, joined to the one incident.
    assert second.json()["merged"] is True and second.json()["report"]["by"]["id"] == principal_a.pk
    assert Alert.objects.count() == 1 and AlertReport.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_does_not_use_up_its_key(api, world, teacher_a):
    client = api(teacher_a)
    assert client.post(ALERTS_URL, lockdown(world.school_a, action="panic"), **KEY).status_code == 422
    fixed = client.post(ALERTS_URL, lockdown(world.school_a), **KEY)
    assert fixed.status_code == 201
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_key_that_is_too_long_is_refused(api, world, teacher_a):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a), **{"Idempotency-Key": "k" * 256})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Idempotency-Key: ")
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_keys_are_kept_at_least_a_day(api, world, teacher_a):
    assert api(teacher_a).post(ALERTS_URL, lockdown(world.school_a), **KEY).status_code == 201
    stored = IdempotencyKey.objects.get()
    IdempotencyKey.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(hours=23))

    # Even asked to forget keys after an hour, the 24-hour promise holds.
    assert actions.do_prune_idempotency_keys(dt.timedelta(hours=1)) == 0
    retry = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a), **KEY)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"

    IdempotencyKey.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))
    assert actions.do_prune_idempotency_keys(dt.timedelta(hours=48)) == 1


@pytest.mark.django_db
def test_a_key_committed_by_a_concurrent_request_rolls_this_one_back(api, world, teacher_a):
    """The race the unique constraint settles: both requests passed the look-up, the other committed first."""
    school = actions.load_school(world.school_a.pk)
    winner, _ = actions.do_raise_alert(teacher_a, school, action="lockdown", idempotency=("race", "h1"))

    with pytest.raises(actions.IdempotencyKeyTaken):
        actions.do_raise_alert(teacher_a, school, action="lockdown", idempotency=("race", "h1"))

    assert list(Alert.objects.values_list("pk", flat=True)) == [winner.pk]
    assert Event.objects.filter(kind="alert.raised").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_raise_one_alert(api, world, teacher_a):
    client_a, client_b = api(teacher_a), api(teacher_a)
    barrier = threading.Barrier(2)
    responses = []

    def post(client):
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(ALERTS_URL, lockdown(world.school_a), **KEY))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in (client_a, client_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Alert.objects.count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1
