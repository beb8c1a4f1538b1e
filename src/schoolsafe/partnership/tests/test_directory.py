"""The 24/7 contact directory: entries per school, agency and PSAP, verification and the 180-day flag, who
reads and changes which entries, and how the directory feeds the responder packet and the dispatch console."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from schoolsafe.alerts.tests.conftest import Api
from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.audit.models import AuditEntry
from schoolsafe.partnership import actions
from schoolsafe.partnership.models import DirectoryEntry
from schoolsafe.partnership.reads import directory_for_school
from schoolsafe.plans import actions as plan_actions
from schoolsafe.plans.pdf import responder_packet_pdf
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin_a(world):
    return make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")


@pytest.fixture
def directory(world, principal_a, agency_admin_a) -> dict[str, DirectoryEntry]:
    """School A's directory: two school entries (in escalation order 2, 1), the agency's and its PSAP's."""
    return {
        "vice": actions.do_create_contact(principal_a, kind="school", school=world.school_a, role="Assistant principal",
                                          name="Carl Jensen", phone="(352) 555-0183", escalation_order=2),
        "principal": actions.do_create_contact(principal_a, kind="school", school=world.school_a, role="Principal",
                                               name="Janet Moore", phone="(352) 555-0181",
                                               alternate_phone="(352) 555-1000", escalation_order=1),
        "watch": actions.do_create_contact(agency_admin_a, kind="agency", agency=world.agency_a,
                                           role="Watch commander", name="Watch commander", phone="(352) 555-0155"),
        "psap": actions.do_create_contact(agency_admin_a, kind="psap", agency=world.agency_a,
                                          psap_name="Pine Ridge County 911 Communications", role="Shift supervisor",
                                          name="911 shift supervisor", phone="(352) 555-0911"),
    }


def test_the_directory_of_a_school_lists_its_entries_then_the_agencies_then_the_psaps_in_escalation_order(
        world, directory):
    rows = directory_for_school(world.school_a)
    assert [r["name"] for r in rows] == ["Janet Moore", "Carl Jensen", "Watch commander", "911 shift supervisor"]
    assert rows[3]["role"] == "Shift supervisor, Pine Ridge County 911 Communications"
    assert set(rows[0]) == {"name", "role", "phone", "alternate_phone", "person", "verified_on"}
    assert directory_for_school(world.school_b) == []


def test_the_directory_feeds_the_responder_packet(world, directory, principal_a):
    # A number already on the school's own 24/7 list is printed once.
    plan_actions.do_add_emergency_contact(principal_a, world.school_a, name="Janet Moore", role="Principal",
                                          phone="(352) 555-0181")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(responder_packet_pdf(world.school_a))).pages)
                    .split())
    for name, phone in [("Carl Jensen", "(352) 555-0183"), ("Watch commander", "(352) 555-0155"),
                        ("911 shift supervisor", "(352) 555-0911")]:
        assert name in text and phone in text
    assert "Pine Ridge County 911 Communications" in text
    assert text.count("(352) 555-0181") == 1


def test_the_directory_feeds_the_dispatch_console(world, directory, teacher_a, dispatcher):
    alert = raise_alert(Api, teacher_a, world.school_a)
    contacts = client_for(dispatcher).get(f"/alerts/{alert.pk}/state.json").json()["contacts"]
    others = [(o["name"], o["phone"]) for o in contacts["others"]]
    assert ("Carl Jensen", "(352) 555-0183") in others
    assert ("911 shift supervisor", "(352) 555-0911") in others


def test_verifying_stamps_the_entry_and_an_old_verification_is_flagged(world, directory, principal_a):
    entry = directory["vice"]
    page = client_for(principal_a).get(f"/partnership/directory/schools/{world.school_a.pk}/").content.decode()
    assert "Never verified" in page
    response = client_for(principal_a).post(f"/api/v1/partnership/directory/{entry.pk}/verify")
    assert response.status_code == 200
    assert response.json()["last_verified"] == str(timezone.localdate()) and not response.json()["stale"]
    assert response.json()["verified_by"] == principal_a.display_name
    assert AuditEntry.objects.filter(action="partnership.verify_contact", object_id=str(entry.pk)).exists()
    old = timezone.localdate() - dt.timedelta(days=181)
    actions.do_verify_contact(principal_a, directory["principal"], on=old)
    actions.do_verify_contact(principal_a, directory["vice"], on=timezone.localdate() - dt.timedelta(days=180))
    page = client_for(principal_a).get(f"/partnership/directory/schools/{world.school_a.pk}/").content.decode()
    assert f"Not verified since {old:%b} {old.day}, {old.year}" in page
    assert page.count("Not verified since") == 1
    listed = client_for(principal_a).get(f"/api/v1/partnership/directory/schools/{world.school_a.pk}").json()
    assert {e["name"]: e["stale"] for e in listed}["Janet Moore"] is True


@pytest.mark.parametrize(("changes", "field"), [
    ({"phone": ""}, "phone"), ({"name": " "}, "name"), ({"role": ""}, "role"), ({"phone": "call us"}, "phone"),
    ({"escalation_order": 0}, "escalation_order"), ({"kind": "hospital"}, "kind"),
    ({"kind": "psap", "school_id": None, "psap_name": ""}, "psap_name"), ({"kind": "agency", "agency_id": None}, "agency"),
])
def test_bad_entries_are_refused_naming_the_field_and_write_nothing(world, director_a, changes, field):
    values = {"kind": "school", "school_id": world.school_a.pk, "agency_id": world.agency_a.pk, "role": "Principal",
              "name": "Janet Moore", "phone": "(352) 555-0181", **changes}
    response = client_for(director_a).post("/api/v1/partnership/directory", values, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not DirectoryEntry.objects.exists()


def test_who_reads_which_entries(world, directory, teacher_a, principal_a, sro_a, dispatcher, director_a, director_b,
                                 teacher_b, outsider, teacher_a2):
    school_url = f"/api/v1/partnership/directory/schools/{world.school_a.pk}"
    everything = {"Janet Moore", "Carl Jensen", "Watch commander", "911 shift supervisor"}
    for user in (principal_a, sro_a, dispatcher, director_a):
        assert {e["name"] for e in client_for(user).get(school_url).json()} == everything, user.username
    # Staff see the school's entries and the police's, not the 911 centre's desk.
    assert {e["name"] for e in client_for(teacher_a).get(school_url).json()} == everything - {"911 shift supervisor"}
    assert client_for(teacher_a).get(f"/partnership/directory/schools/{world.school_a.pk}/").status_code == 200
    for user in (director_b, teacher_b, outsider):
        assert client_for(user).get(school_url).status_code == 404, user.username
        assert client_for(user).get(f"/partnership/directory/schools/{world.school_a.pk}/").status_code == 404
        assert client_for(user).post(f"/api/v1/partnership/directory/{directory['vice'].pk}/verify").status_code == 404
    # School A2 is not served by agency A: its teacher sees nothing of it.
    assert client_for(teacher_a2).get(f"/api/v1/partnership/directory/agencies/{world.agency_a.pk}").status_code == 404
    agency = client_for(dispatcher).get(f"/api/v1/partnership/directory/agencies/{world.agency_a.pk}").json()
    assert {e["name"] for e in agency} == {"Watch commander", "911 shift supervisor"}


def test_who_changes_which_entries(world, directory, principal_a, agency_admin_a, director_a, dispatcher, teacher_a):
    def patch(user, key):
        return client_for(user).patch(f"/api/v1/partnership/directory/{directory[key].pk}", {"hours": "Mon–Fri"},
                                      content_type="application/json").status_code

    assert patch(principal_a, "vice") == 200
    assert patch(principal_a, "watch") == 403 and patch(principal_a, "psap") == 403
    assert patch(agency_admin_a, "watch") == 200 and patch(agency_admin_a, "psap") == 200
    assert patch(agency_admin_a, "vice") == 403
    for key in directory:
        assert patch(director_a, key) == 200
    assert patch(dispatcher, "watch") == 403 and patch(teacher_a, "vice") == 403
    # Adding: the principal adds to the school, not to the agency; the agency admin the reverse.
    school_entry = {"kind": "school", "school_id": world.school_a.pk, "role": "Nurse", "name": "Ana", "phone": "555-0142"}
    agency_entry = {"kind": "agency", "agency_id": world.agency_a.pk, "role": "Desk", "name": "Desk", "phone": "555-0143"}
    for user, values, status in [(principal_a, school_entry, 201), (principal_a, agency_entry, 403),
                                 (agency_admin_a, agency_entry, 201), (agency_admin_a, school_entry, 403),
                                 (teacher_a, school_entry, 403)]:
        response = client_for(user).post("/api/v1/partnership/directory", values, content_type="application/json")
        assert response.status_code == status, (user.username, values, response.json())
    assert DirectoryEntry.objects.count() == len(directory) + 2


def test_the_pages_add_and_verify_entries(world, principal_a, agency_admin_a):
    api = client_for(principal_a)
    url = f"/partnership/directory/schools/{world.school_a.pk}/"
    assert "Add an entry" in api.get(url).content.decode()
    bad = api.post(f"{url}add/", {"role": "Nurse", "name": "Ana", "phone": "none", "escalation_order": 1,
                                  "hours": "24/7"})
    assert bad.status_code == 400 and "a phone number needs its digits" in bad.content.decode()
    response = api.post(f"{url}add/", {"role": "Nurse", "name": "Ana Ruiz", "phone": "(352) 555-0142",
                                       "escalation_order": 1, "hours": "24/7"})
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get()
    assert api.post(f"/partnership/directory/entries/{entry.pk}/verify/").status_code == 302
    entry.refresh_from_db()
    assert entry.last_verified == timezone.localdate() and entry.verified_by == principal_a
    agency_page = client_for(agency_admin_a)
    response = agency_page.post(f"/partnership/directory/agencies/{world.agency_a.pk}/add/", {
        "kind": "psap", "psap_name": "", "role": "Supervisor", "name": "911", "phone": "555-0911",
        "escalation_order": 1, "hours": "24/7"})
    assert response.status_code == 400 and "name the 911 centre" in response.content.decode()
    index = agency_page.get("/partnership/directory/").content.decode()
    assert world.agency_a.name in index and world.school_a.name in index


def test_the_api_asks_for_credentials(world, directory, client):
    entry = directory["vice"].pk
    for method, url in [("get", f"/api/v1/partnership/directory/schools/{world.school_a.pk}"),
                        ("get", f"/api/v1/partnership/directory/agencies/{world.agency_a.pk}"),
                        ("post", "/api/v1/partnership/directory"), ("patch", f"/api/v1/partnership/directory/{entry}"),
                        ("post", f"/api/v1/partnership/directory/{entry}/verify")]:
        assert getattr(client, method)(url).status_code == 401, url
