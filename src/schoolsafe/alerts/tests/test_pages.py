"""The alert pages through the test client: who reaches which page, what each shows, and that every page
goes through the access policy (an alert the user may not see is a 404; anonymous users are sent to sign in)."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(api, world, teacher_a):
    return raise_alert(api, teacher_a, world.school_a)


def page_urls(alert_id: int) -> list[str]:
    return [f"/alerts/{alert_id}/", f"/alerts/{alert_id}/board/", f"/alerts/{alert_id}/state.json"]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_alert_page(client, alert):
    for url in ["/alerts/", "/alerts/dispatch/", "/alerts/history/", *page_urls(alert.pk)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_another_schools_alert_does_not_exist_for_a_teacher_there(alert, teacher_b):
    client = client_for(teacher_b)
    for url in page_urls(alert.pk):
        assert client.get(url).status_code == 404, url
    # Nor on the console or the panic page's list of active alerts.
    assert "School A High" not in client.get("/alerts/dispatch/").content.decode()
    assert "School A High" not in client.get("/alerts/").content.decode()


def test_an_unknown_alert_is_a_404(teacher_a):
    assert client_for(teacher_a).get("/alerts/999999/").status_code == 404


def test_the_panic_page_shows_the_five_actions_with_the_schools_directives_and_the_room(world, teacher_a):
    teacher_a.room = "C-12"
    teacher_a.save()
    from schoolsafe.plans.models import ResponseProtocol
    from schoolsafe.plans.srp import DEFAULT_DIRECTIVES

    wording = {**DEFAULT_DIRECTIVES, "lockdown": "Locks, lights, out of sight. Silence."}
    ResponseProtocol.objects.create(school=world.school_a, **wording, evacuation_locations="North field\nChurch parking lot")
    page = client_for(teacher_a).get("/alerts/").content.decode()
    for label in ("Hold", "Secure", "Lockdown", "Evacuate", "Shelter"):
        assert f'<span class="srp-label">{label}</span>' in page
    assert "Locks, lights, out of sight. Silence." in page
    assert "Get inside. Lock outside doors." in page
    assert 'id="f-room" name="room" maxlength="60" value="C-12"' in page
    assert 'value="North field"' in page and "Church parking lot" in page
    # Staff help is offered, and says it is not an emergency.
    assert "Staff help needed" in page and "Not an emergency" in page
    assert "School A High" in page


def test_a_teacher_of_two_schools_chooses_the_school_first(world, teacher_a):
    from schoolsafe.testing.factories import MembershipFactory

    MembershipFactory(user=teacher_a, role="staff", school=world.school_a2)
    client = client_for(teacher_a)
    page = client.get("/alerts/").content.decode()
    assert "Choose your school" in page and 'class="srp-label"' not in page
    page = client.get(f"/alerts/?school={world.school_a2.pk}").content.decode()
    assert "School: <strong>School A Elementary</strong>" in page and 'class="srp-label"' in page
    # A school outside the teacher's reach is not offered, even by its id.
    page = client.get(f"/alerts/?school={world.school_b.pk}").content.decode()
    assert 'class="srp-label"' not in page


def test_someone_who_may_not_raise_is_told_to_call_911(world):
    analyst = make_person("analyst_pages", "tip_analyst", world.district_a, "district")
    page = client_for(analyst).get("/alerts/").content.decode()
    assert "You cannot raise alerts for any school" in page


def test_the_teachers_incident_page_has_the_directive_what_to_do_and_the_room_form(alert, teacher_a):
    page = client_for(teacher_a).get(f"/alerts/{alert.pk}/").content.decode()
    assert "Locks, lights, out of sight." in page
    assert "Lock the door; turn the lights off." in page
    assert 'id="room-form"' in page and 'id="ack-button"' in page
    # A teacher does not end a lockdown for the whole school, and sees no delivery report or exports.
    assert 'id="all-clear-button"' not in page
    assert 'data-part="delivery"' not in page and "ics214" not in page


def test_the_dispatchers_incident_page_has_the_controls_delivery_map_and_exports(alert, dispatcher):
    page = client_for(dispatcher).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="all-clear-button"' in page and 'id="ack-button"' in page
    assert 'data-part="delivery"' in page and 'data-part="map"' in page and 'data-part="thread"' in page
    assert f"/api/v1/alerts/{alert.pk}/ics214.pdf" in page and f"/api/v1/alerts/{alert.pk}/cap.xml" in page
    # Room status comes from the people in the building.
    assert 'id="room-form"' not in page


def test_state_gives_the_dispatcher_contacts_sro_map_and_delivery(api, world, alert, dispatcher, principal_a):
    principal_a.phone = "555-0100"
    principal_a.full_name = "Pat Principal"
    principal_a.save()
    sro = make_person("sro_pages", "officer", world.school_a, "school")
    sro.full_name, sro.phone = "Officer Sam", "555-0111"
    sro.save()
    world.school_a.latitude, world.school_a.longitude, world.school_a.phone = 40.0, -75.0, "555-0199"
    world.school_a.save()
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200

    state = client_for(dispatcher).get(f"/alerts/{alert.pk}/state.json").json()
    assert state["alert"]["action"] == "lockdown" and state["alert"]["status"] == "active"
    assert state["acknowledgements"][0]["by_dispatch"] is True and state["acknowledged_by_me"] is True
    assert state["contacts"]["phone"] == "555-0199"
    assert {"name": "Pat Principal", "title": principal_a.title, "phone": "555-0100", "alternate_phone": ""} \
        in state["contacts"]["admins"]
    assert [s["name"] for s in state["contacts"]["sros"]] == ["Officer Sam"]
    assert state["map"]["center"] == [40.0, -75.0]
    assert state["map"]["features"][0]["properties"]["kind"] == "school"
    assert state["delivery"]["counts"]["acknowledged"] == 1
    assert state["links"]["ics214_csv"].endswith("/ics214.csv")
    assert state["may"]["all_clear"] is True and state["may"]["room_status"] is False


def test_state_for_a_teacher_leaves_out_contacts_delivery_and_exports(alert, teacher_a):
    state = client_for(teacher_a).get(f"/alerts/{alert.pk}/state.json").json()
    assert "delivery" not in state and "contacts" not in state and "ics214_csv" not in state["links"]
    assert state["may"]["room_status"] is True and state["may"]["all_clear"] is False
    assert state["board"]["counts"]["reported"] == 0
    assert [e["kind"] for e in state["timeline"]][0] == "raised"


def test_an_assist_call_is_not_visible_to_dispatch_on_any_page(api, world, teacher_a, dispatcher):
    response = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, action="hold", tier="assist"))
    alert_id = response.json()["id"]
    client = client_for(dispatcher)
    for url in page_urls(alert_id):
        assert client.get(url).status_code == 404, url
    page = client_for(teacher_a).get(f"/alerts/{alert_id}/").content.decode()
    assert "Staff help needed" in page and "not a school-wide emergency" in page


def test_the_console_lists_active_incidents_of_the_agencys_schools(api, world, alert, dispatcher, teacher_b):
    other = raise_alert(api, teacher_b, world.school_b)
    page = client_for(dispatcher).get("/alerts/dispatch/").content.decode()
    assert f'"id": {alert.pk}' in page and "School A High" in page
    assert f'"id": {other.pk}' not in page and "School B High" not in page


def test_navigation_offers_raise_alert_to_staff_and_the_console_to_dispatch(teacher_a, dispatcher):
    staff_page = client_for(teacher_a).get("/").content.decode()
    assert 'href="/alerts/">Raise alert' in staff_page and "Dispatch console" not in staff_page
    dispatch_page = client_for(dispatcher).get("/").content.decode()
    assert 'href="/alerts/dispatch/">Dispatch console' in dispatch_page and "Raise alert" not in dispatch_page


def test_the_alert_list_shows_what_the_user_may_see_newest_first_and_filters_by_state(
        api, world, alert, teacher_a, teacher_b, principal_a, analyst_a, settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # two incidents at one school
    second = raise_alert(api, teacher_a, world.school_a, action="hold", reason="police activity nearby")
    given = api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"concurring_officer": "Officer Ruiz, badge 4411"})
    assert given.status_code == 200
    elsewhere = raise_alert(api, teacher_b, world.school_b)

    page = client_for(teacher_a).get("/alerts/history/").content.decode()
    assert page.index(f'href="/alerts/{second.pk}/"') < page.index(f'href="/alerts/{alert.pk}/"')
    assert "police activity nearby" in page and "School B High" not in page
    assert f'href="/alerts/{elsewhere.pk}/"' not in page
    ended = client_for(teacher_a).get("/alerts/history/?show=ended").content.decode()
    assert f'href="/alerts/{alert.pk}/"' in ended and f'href="/alerts/{second.pk}/"' not in ended
    active = client_for(teacher_a).get("/alerts/history/?show=active").content.decode()
    assert f'href="/alerts/{second.pk}/"' in active and f'href="/alerts/{alert.pk}/"' not in active
    # An analyst of the tip line has no alert role: the page is there, and empty; the menu does not offer it.
    analyst = client_for(analyst_a)
    assert "No alerts here." in analyst.get("/alerts/history/").content.decode()
    assert 'href="/alerts/history/"' not in analyst.get("/").content.decode()
    assert 'href="/alerts/history/">Alerts' in client_for(teacher_a).get("/").content.decode()
