"""What a newcomer's walk-through found on the alert pages (issue 26)."""

from __future__ import annotations

import pytest

from schoolsafe.conftest import PASSWORD, client_for, make_person


@pytest.fixture
def deputy(world):
    """A sheriff's deputy: an officer of the agency (which serves several schools) posted at school B."""
    from schoolsafe.accounts.models import Membership
    from schoolsafe.core.tests.factories import SchoolFactory

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
