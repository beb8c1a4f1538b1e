"""SRP lockdown release: a real lockdown is ended by law enforcement, by an administrator
naming the officer who concurred, or by dispatch on behalf of a named incident commander; rooms are released
one by one in person; until then staff are told to stay locked. Hold, Secure and Shelter end by announcement."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.models import Alert, RoomRelease
from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db

OFFICER = "Officer Ruiz, badge 4411"
COMMANDER = "Lt. Hart, Unit 12 (incident commander)"


def all_clear(api, user, alert, **body):
    return api(user).post(f"{ALERTS_URL}/{alert.pk}/all-clear", body or None)


def test_a_dispatcher_cannot_end_a_real_lockdown_by_themselves(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)

    refused = all_clear(api, dispatcher, alert)

    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "a dispatcher cannot end a real lockdown by themselves" in detail
    assert "on behalf of the incident commander" in detail and detail.startswith("on_behalf_of:")
    alert.refresh_from_db()
    assert alert.status == "active" and alert.all_clear_at is None
    assert not Event.objects.filter(kind="alert.all_clear").exists()


def test_a_dispatcher_records_the_all_clear_on_behalf_of_the_incident_commander(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)

    given = all_clear(api, dispatcher, alert, on_behalf_of=COMMANDER)

    assert given.status_code == 200, given.content
    assert given.json()["all_clear_on_behalf_of"] == COMMANDER
    alert.refresh_from_db()
    assert (alert.status, alert.all_clear_by, alert.all_clear_on_behalf_of) == ("all_clear", dispatcher, COMMANDER)
    entry = AuditEntry.objects.filter(action="alerts.all_clear_alert").get()
    assert entry.summary == {"all_clear_on_behalf_of": COMMANDER}
    timeline = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]
    assert timeline[-1]["text"].startswith(f"All clear given on behalf of the incident commander, {COMMANDER}.")


@pytest.mark.parametrize("persona", ["sro_a", "supervisor_a"])
def test_law_enforcement_ends_a_real_lockdown(api, world, teacher_a, persona, request):
    officer = request.getfixturevalue(persona)
    alert = raise_alert(api, teacher_a, world.school_a)

    given = all_clear(api, officer, alert)

    assert given.status_code == 200, given.content
    assert given.json()["status"] == "all_clear"
    assert Alert.objects.get(pk=alert.pk).all_clear_by == officer


def test_an_administrator_ends_a_real_lockdown_only_with_the_officer_who_concurred(api, world, teacher_a,
                                                                                    principal_a, director_a):
    alert = raise_alert(api, teacher_a, world.school_a)

    for admin in (principal_a, director_a):
        refused = all_clear(api, admin, alert)
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("concurring_officer: a real lockdown is released by law enforcement")
    assert all_clear(api, principal_a, alert, concurring_officer="   ").status_code == 403
    given = all_clear(api, principal_a, alert, concurring_officer=OFFICER)

    assert given.status_code == 200, given.content
    alert.refresh_from_db()
    assert (alert.all_clear_by, alert.all_clear_concurring_officer) == (principal_a, OFFICER)
    assert given.json()["all_clear_concurring_officer"] == OFFICER


def test_a_teacher_still_cannot_and_bad_input_is_a_clear_4xx(api, world, teacher_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert all_clear(api, teacher_a, alert).status_code == 403
    unknown = api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"badge": "1"})
    assert unknown.status_code == 422 and "badge" in unknown.json()["detail"]
    long = all_clear(api, dispatcher, alert, on_behalf_of="x" * 151)
    assert long.status_code == 422 and "on_behalf_of" in long.json()["detail"]
    assert Alert.objects.get(pk=alert.pk).status == "active"


@pytest.mark.parametrize("overrides", [
    {"action": "secure"}, {"action": "hold"}, {"action": "shelter", "hazard": "tornado"},
    {"action": "lockdown", "exercise": True},
])
def test_hold_secure_shelter_and_drills_end_by_announcement(api, world, teacher_a, principal_a, overrides):
    # The principal, alone: a Hold and a drill outside a registered drill window do not reach dispatch at all
    # (routing by action), so the school ends them by announcement.
    alert = raise_alert(api, teacher_a, world.school_a, **overrides)

    given = all_clear(api, principal_a, alert)

    assert given.status_code == 200, given.content
    if overrides["action"] != "lockdown":
        # Not a lockdown: the message says it is over.
        assert given.json()["all_clear_text"].startswith("The incident is over.")


# --- rooms released one by one ------------------------------------------------------------------------------


def board_of(user, alert):
    state = client_for(user).get(f"/alerts/{alert.pk}/state.json")
    assert state.status_code == 200
    return state.json()["board"]["release"]


def test_rooms_are_released_one_by_one_and_the_board_shows_it(api, world, teacher_a, sro_a, principal_a,
                                                              dispatcher):
    teacher_a.room = "C-12"
    teacher_a.save()
    other = make_person("teacher_b4", "staff", world.school_a, "school")
    other.room = "B-4"
    other.save()
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/room-status",
                               {"room": "C-12", "status": "ok", "present": 23}).status_code == 201
    release = f"{ALERTS_URL}/{alert.pk}/room-release"
    before = board_of(teacher_a, alert)
    assert before == {"required": True, "released": [], "not_released": ["B-4", "C-12"]}

    # Dispatch is not at the door; a teacher cannot release their own room.
    assert api(dispatcher).post(release, {"room": "C-12"}).status_code == 403
    assert api(teacher_a).post(release, {"room": "C-12"}).status_code == 403
    first = api(sro_a).post(release, {"room": "c-12 "})
    assert first.status_code == 201, first.content
    assert first.json()["room"] == "c-12" and first.json()["released_by"]["id"] == sro_a.pk

    middle = board_of(teacher_a, alert)
    assert [r["room"] for r in middle["released"]] == ["c-12"] and middle["not_released"] == ["B-4"]
    assert middle["released"][0]["released_by"]["id"] == sro_a.pk and middle["released"][0]["released_at"]
    again = api(principal_a).post(release, {"room": "C-12"})
    assert again.status_code == 409 and "already released by" in again.json()["detail"]

    # Released during the lockdown or after its all clear: the officer gives it, the principal releases B-4.
    assert all_clear(api, sro_a, alert).status_code == 200
    assert api(principal_a).post(release, {"room": "B-4", "note": "opened the door with the SRO"}).status_code == 201
    after = board_of(teacher_a, alert)
    assert [r["room"] for r in after["released"]] == ["B-4", "c-12"] and after["not_released"] == []
    assert RoomRelease.objects.filter(alert=alert).count() == 2
    kinds = list(Event.objects.filter(kind="alert.room_released").values_list("data__room", flat=True))
    assert kinds == ["c-12", "B-4"]
    assert AuditEntry.objects.filter(action="alerts.release_room").count() == 2
    timeline = [e["text"] for e in api(teacher_a).get(f"{ALERTS_URL}/{alert.pk}/timeline").json()["entries"]]
    assert "Room c-12 released in person by Sro A." in timeline and "Room B-4 released in person by Principal A." in timeline
    # The page offers the release form to those who release, not to teachers.
    assert 'id="release-form"' in client_for(sro_a).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="release-form"' not in client_for(teacher_a).get(f"/alerts/{alert.pk}/").content.decode()


def test_only_a_lockdown_is_released_room_by_room(api, world, teacher_a, sro_a):
    alert = raise_alert(api, teacher_a, world.school_a, action="secure")
    refused = api(sro_a).post(f"{ALERTS_URL}/{alert.pk}/room-release", {"room": "C-12"})
    assert refused.status_code == 409 and "only a lockdown is released room by room" in refused.json()["detail"]
    assert client_for(teacher_a).get(f"/alerts/{alert.pk}/state.json").json()["board"]["release"] is None


def test_staff_are_told_to_stay_locked_until_released_in_person(api, world, teacher_a, sro_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert all_clear(api, sro_a, alert).status_code == 200

    seen = client_for(teacher_a).get(f"/alerts/{alert.pk}/state.json").json()["alert"]

    assert seen["status"] == "all_clear"
    assert seen["all_clear_text"] == "Stay locked until an officer or administrator releases your room in person."
    assert "over" not in seen["all_clear_text"]
    assert seen["all_clear_text_es"].startswith("Permanezcan con llave hasta que")
    event = Event.objects.get(kind="alert.all_clear")
    assert event.data["all_clear_text"] == seen["all_clear_text"]


def test_the_page_asks_what_the_all_clear_needs(api, world, teacher_a, sro_a, principal_a, dispatcher):
    alert = raise_alert(api, teacher_a, world.school_a)
    needs = {user.username: client_for(user).get(f"/alerts/{alert.pk}/state.json").json()["all_clear_needs"]
             for user in (sro_a, principal_a, dispatcher, teacher_a)}
    assert needs == {"sro_a": "", "principal_a": "concurring_officer", "dispatcher_a": "on_behalf_of",
                     "teacher_a": ""}
