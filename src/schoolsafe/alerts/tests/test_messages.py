"""The message thread between dispatch and the school during an incident."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.models import AlertMessage
from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event

pytestmark = pytest.mark.django_db


def url(alert_id: int) -> str:
    return f"{ALERTS_URL}/{alert_id}/messages"


def test_dispatch_and_the_school_write_to_one_thread(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)

    first = api(dispatcher).post(url(alert.pk), {"text": "  Units two minutes out. Keep the doors locked.  "})
    second = api(teacher_a).post(url(alert.pk), {"text": "Heard shouting near the gym."})

    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["text"] == "Units two minutes out. Keep the doors locked."
    assert first.json()["author"] == {"id": dispatcher.pk, "name": "Dispatcher A"}
    thread = api(teacher_a).get(url(alert.pk))
    assert thread.status_code == 200
    assert [(m["author"]["name"], m["text"]) for m in thread.json()["items"]] == [
        ("Dispatcher A", "Units two minutes out. Keep the doors locked."),
        ("Teacher A", "Heard shouting near the gym."),
    ]
    events = Event.objects.filter(kind="alert.message").order_by("id")
    assert [e.data["text"] for e in events] == ["Units two minutes out. Keep the doors locked.",
                                                 "Heard shouting near the gym."]
    assert events[0].audience == Event.objects.get(kind="alert.raised").audience
    assert AuditEntry.objects.filter(action="alerts.post_alert_message").count() == 2


def test_a_message_of_exactly_two_thousand_characters_is_kept_whole(api, world, teacher_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    text = "x" * 2000
    assert api(teacher_a).post(url(alert.pk), {"text": text}).status_code == 201
    assert AlertMessage.objects.get().text == text


def test_anonymous_callers_are_refused(api, world, teacher_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(None).get(url(alert.pk)).status_code == 401
    assert api(None).post(url(alert.pk), {"text": "hello"}).status_code == 401
    assert not AlertMessage.objects.exists()


def test_people_of_another_school_or_agency_get_a_404(api, world, teacher_a, teacher_b, dispatcher_b):
    alert = raise_alert(api, teacher_a, world.school_a)
    for outsider in (teacher_b, dispatcher_b):
        assert api(outsider).get(url(alert.pk)).status_code == 404
        assert api(outsider).post(url(alert.pk), {"text": "hello"}).status_code == 404
    assert not AlertMessage.objects.exists()


def test_an_assist_call_thread_is_for_its_audience_only(api, world, teacher_a, principal_a, dispatcher):
    # An assist call reaches the school's admins and SRO (and who raised it), not dispatch.
    alert = raise_alert(api, teacher_a, world.school_a, tier="assist")
    assert api(principal_a).post(url(alert.pk), {"text": "On my way."}).status_code == 201
    assert api(teacher_a).get(url(alert.pk)).status_code == 200
    assert api(dispatcher).get(url(alert.pk)).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "x" * 2001}, "text"),
    ({"text": "   "}, "text"),
    ({}, "text"),
    ({"text": 42}, "text"),
    ({"text": "hi", "urgent": True}, "urgent"),
])
def test_bad_input_is_refused_naming_the_field(api, world, teacher_a, body, field):
    alert = raise_alert(api, teacher_a, world.school_a)
    response = api(teacher_a).post(url(alert.pk), body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(field), response.json()
    assert not AlertMessage.objects.exists()
    assert not Event.objects.filter(kind="alert.message").exists()


def test_a_huge_body_is_refused_before_it_is_read(api, world, teacher_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    response = api(teacher_a).post(url(alert.pk), {"text": "x" * 70_000})
    assert response.status_code == 413
    assert not AlertMessage.objects.exists()


def test_the_thread_closes_with_the_alert(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200
    response = api(teacher_a).post(url(alert.pk), {"text": "Are we clear?"})
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    # Reading it stays possible: the record of the incident.
    assert api(teacher_a).get(url(alert.pk)).json()["items"] == []
