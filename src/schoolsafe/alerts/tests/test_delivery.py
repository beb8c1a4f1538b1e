"""The delivery report: who was meant to get the alert, when it reached them, when they acknowledged."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db


def test_every_intended_recipient_with_receipt_and_acknowledgement_times(
    api, world, teacher_a, principal_a, dispatcher, sro_a, supervisor_a, director_a, teacher_b, teacher_a2, analyst_a
):
    counselor = make_person("counselor_a", "ta_member", world.school_a, "school")
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    event = Event.objects.get(kind="alert.raised", subject_id=str(alert_id))
    # The dispatcher's console and the SRO's phone got it and said so; the dispatcher acknowledged.
    assert api(dispatcher).post("/api/v1/events/receipts", {"ids": [event.pk]}).status_code == 200
    assert api(sro_a).post("/api/v1/events/receipts", {"ids": [event.pk]}).status_code == 200
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert_id}/acknowledge").status_code == 200

    response = api(principal_a).get(f"{ALERTS_URL}/{alert_id}/delivery")

    assert response.status_code == 200
    report = response.json()
    assert report["alert"] == alert_id and report["event"] == event.pk
    by_user = {r["user"]["id"]: r for r in report["recipients"]}
    # Everyone the emergency tier reaches at school A, and nobody else.
    assert set(by_user) == {teacher_a.pk, principal_a.pk, dispatcher.pk, sro_a.pk, supervisor_a.pk,
                            director_a.pk, counselor.pk}
    assert by_user[dispatcher.pk]["roles"] == ["dispatcher"]
    assert by_user[teacher_a.pk]["roles"] == ["staff", "raised_by"]
    assert by_user[dispatcher.pk]["received_at"] and by_user[dispatcher.pk]["acknowledged_at"]
    assert by_user[sro_a.pk]["received_at"] and by_user[sro_a.pk]["acknowledged_at"] is None
    assert by_user[principal_a.pk]["received_at"] is None and by_user[principal_a.pk]["acknowledged_at"] is None
    assert report["counts"] == {"intended": 7, "received": 2, "acknowledged": 1, "not_received": 5,
                                "not_acknowledged": 6}


def test_a_receipt_for_an_event_of_another_school_is_not_counted(api, world, teacher_a, teacher_b, principal_a):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    event = Event.objects.get(kind="alert.raised", subject_id=str(alert_id))
    # teacher_b may not see it: the receipt is ignored and teacher_b is no recipient.
    api(teacher_b).post("/api/v1/events/receipts", {"ids": [event.pk]})

    report = api(principal_a).get(f"{ALERTS_URL}/{alert_id}/delivery").json()
    assert teacher_b.pk not in {r["user"]["id"] for r in report["recipients"]}
    assert report["counts"]["received"] == 0


def test_an_assist_calls_report_lists_the_office_and_the_sro(api, world, teacher_a, principal_a, sro_a, dispatcher):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, tier="assist", action="hold")).json()["id"]
    report = api(principal_a).get(f"{ALERTS_URL}/{alert_id}/delivery").json()
    assert {r["user"]["id"] for r in report["recipients"]} == {teacher_a.pk, principal_a.pk, sro_a.pk}
