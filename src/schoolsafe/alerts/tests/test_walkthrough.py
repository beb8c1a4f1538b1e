"""What a newcomer's walk-through found on the alert pages."""

from __future__ import annotations

import pytest

from schoolsafe.testing.personas import PASSWORD, client_for, make_person


@pytest.fixture
def deputy(world):
    """A sheriff's deputy: an officer of the agency (which serves several schools) posted at school B."""
    from schoolsafe.accounts.models import Membership
    from schoolsafe.testing.factories import SchoolFactory

    for n in range(7):
        SchoolFactory(name=f"County School {n}", district=world.school_b.district).agencies.add(world.agency_b)
    deputy = make_person("deputy_dee", "officer", world.agency_b, "agency")
    Membership.objects.create(user=deputy, role="officer", school=world.school_b)
    return deputy


@pytest.mark.django_db
def test_26_12_the_panic_page_opens_on_the_deputys_own_school_with_the_buttons_showing(deputy, world):
    client = client_for(deputy)
    page = client.get("/alerts/").content.decode()
    # Eight schools to choose from, but the page opens on the deputy's post: the buttons are there at once.
    choice = page.split('<select id="f-school"', 1)[1].split("</select>", 1)[0]
    assert choice.count("<option value=") == 8 and "Choose your school" not in choice
    assert f"School: <strong>{world.school_b.name}</strong>" in page
    assert 'id="srp-lockdown"' in page
    # Another school chosen today is where the page opens next time.
    other = world.agency_b.schools.exclude(pk=world.school_b.pk).order_by("name").first()
    client.get(f"/alerts/?school={other.pk}")
    assert f"School: <strong>{other.name}</strong>" in client.get("/alerts/").content.decode()


@pytest.mark.django_db
def test_26_12_a_teacher_signs_in_to_the_panic_page_and_others_to_their_schools(teacher_a, principal_a):
    from django.test import Client

    for user, lands in ((teacher_a, "/alerts/"), (principal_a, "/")):
        answer = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert answer.status_code == 302 and answer["Location"] == lands, (user.username, answer["Location"])
    # An explicit destination still wins.
    answer = Client().post("/accounts/login/?next=/alerts/history/",
                           {"username": teacher_a.username, "password": PASSWORD, "next": "/alerts/history/"})
    assert answer["Location"] == "/alerts/history/"


@pytest.mark.django_db
def test_26_19_the_timeline_and_the_delivery_report_give_the_same_figures(api, world, teacher_a, principal_a,
                                                                            dispatcher, teacher_b):
    import re

    from schoolsafe.alerts.tests.incident import raise_alert
    from schoolsafe.alerts.timeline import timeline_for
    from schoolsafe.events.models import Event

    alert = raise_alert(api, teacher_a, world.school_a)
    raised = Event.objects.get(kind="alert.raised", subject_id=str(alert.pk))
    # The principal's page got the raise; the dispatcher's console opened later and got only the acknowledgement.
    assert api(principal_a).post("/api/v1/events/receipts", {"ids": [raised.pk]}).status_code == 200
    assert api(dispatcher).post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 200
    ack = Event.objects.get(kind="alert.acknowledged", subject_id=str(alert.pk))
    assert api(dispatcher).post("/api/v1/events/receipts", {"ids": [ack.pk]}).status_code == 200

    report = api(dispatcher).get(f"/api/v1/alerts/{alert.pk}/delivery").json()["counts"]
    entry = next(e for e in timeline_for(alert) if e.kind == "delivered")
    delivered, intended = map(int, re.match(r"Delivered to (\d+) of (\d+)", entry.text).groups())
    assert (delivered, intended) == (report["received"], report["intended"])
    assert report["received"] == 2


@pytest.mark.django_db
def test_26_19_error_texts_are_human_not_field_names(teacher_a, client):
    client.force_login(teacher_a)
    page = client.get("/accounts/security/authenticator/")
    assert page.status_code == 200
    wrong = client.post("/accounts/security/authenticator/", {"code": "000000"}).content.decode()
    assert "That is not the code your app shows now." in wrong and "code: " not in wrong

    from django.template.loader import render_to_string

    shown = render_to_string("threats/_error.html", {"error": {"message": "Record at least one follow-up first.",
                                                                "field": "follow_ups"}})
    assert "follow_ups" not in shown.replace('href="#f-follow_ups"', "") and "Field:" not in shown


@pytest.mark.django_db
def test_26_10_and_26_19_the_panic_pages_active_list_in_the_schools_zone_and_words(api, world, teacher_a):
    from zoneinfo import ZoneInfo

    from schoolsafe.alerts.tests.incident import raise_alert

    world.school_a.time_zone = "America/Chicago"
    world.school_a.save()
    alert = raise_alert(api, teacher_a, world.school_a, location={"room": "Room 212"})
    since = alert.raised_at.astimezone(ZoneInfo("America/Chicago"))
    page = client_for(teacher_a).get("/alerts/").content.decode()
    assert f"at School A High, Room 212 — since {since:%H:%M %Z}" in page
