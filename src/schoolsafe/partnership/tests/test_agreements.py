"""Information-sharing agreements: parties, data categories, legal basis, retention, dates; "expiring" within
30 days; refusals naming the field; who reads and changes them, through the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.partnership.models import SharingAgreement
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db


def body(world, **changes):
    today = timezone.localdate()
    values = {"title": "Emergency sharing", "agency_ids": [world.agency_a.pk], "district_ids": [world.district_a.pk],
              "data_categories": ["incident_reports", "threat_assessment"], "legal_basis": "ferpa_health_safety",
              "retention_days": 365, "effective_date": str(today - dt.timedelta(days=10)),
              "expiry_date": str(today + dt.timedelta(days=400)), "status": "active"}
    values.update(changes)
    return values


@pytest.fixture
def agreement(world, director_a) -> SharingAgreement:
    api = client_for(director_a)
    response = api.post("/api/v1/partnership/agreements", body(world), content_type="application/json")
    assert response.status_code == 201, response.json()
    return SharingAgreement.objects.get(pk=response.json()["id"])


def test_an_agreement_is_recorded_with_its_terms_and_audited(agreement, world):
    assert set(agreement.agencies.all()) == {world.agency_a} and set(agreement.districts.all()) == {world.district_a}
    assert agreement.legal_basis == "ferpa_health_safety"
    assert agreement.standing(timezone.localdate()) == "active"
    assert AuditEntry.objects.filter(action="partnership.create_agreement", object_id=str(agreement.pk)).exists()


@pytest.mark.parametrize(("changes", "field", "status"), [
    ({"expiry_date": "2020-01-01", "effective_date": "2021-01-01"}, "expiry_date", 422),
    ({"data_categories": ["dna_samples"]}, "data_categories", 400),
    ({"data_categories": []}, "data_categories", 400),
    ({"legal_basis": "because"}, "legal_basis", 400),
    ({"legal_basis": "state_statute", "legal_citation": ""}, "legal_citation", 400),
    ({"retention_days": 0}, "retention_days", 400),
    ({"title": "  "}, "title", 400),
    ({"agency_ids": []}, "parties", 400),
    ({"status": "maybe"}, "status", 400),
])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(world, director_a, changes, field, status):
    response = client_for(director_a).post("/api/v1/partnership/agreements", body(world, **changes),
                                           content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not SharingAgreement.objects.exists()
    assert not AuditEntry.objects.filter(action="partnership.create_agreement").exists()


def test_a_state_statute_with_its_citation_is_accepted(world, director_a):
    response = client_for(director_a).post("/api/v1/partnership/agreements", body(
        world, legal_basis="state_statute", legal_citation="Fla. Stat. § 1006.07(7)"), content_type="application/json")
    assert response.status_code == 201 and response.json()["legal_citation"] == "Fla. Stat. § 1006.07(7)"


def test_an_agreement_expiring_within_30_days_is_listed_as_expiring(world, agreement, director_a):
    api = client_for(director_a)
    soon = timezone.localdate() + dt.timedelta(days=30)
    response = api.patch(f"/api/v1/partnership/agreements/{agreement.pk}", {"expiry_date": str(soon)},
                         content_type="application/json")
    assert response.status_code == 200 and response.json()["standing"] == "expiring"
    assert api.get("/api/v1/partnership/agreements").json()[0]["standing"] == "expiring"
    assert "Expiring" in api.get("/partnership/agreements/").content.decode()
    response = api.patch(f"/api/v1/partnership/agreements/{agreement.pk}", {"expiry_date": "2000-01-01"},
                         content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"].startswith("expiry_date:")
    agreement.refresh_from_db()
    assert agreement.expiry_date == soon


def test_who_reads_and_changes_an_agreement(world, agreement, director_a, director_b, principal_a, teacher_a,
                                            supervisor_a, outsider):
    agency_admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    for user in (director_a, principal_a, supervisor_a, agency_admin):
        api = client_for(user)
        assert [a["id"] for a in api.get("/api/v1/partnership/agreements").json()] == [agreement.pk], user.username
        assert api.get(f"/api/v1/partnership/agreements/{agreement.pk}").status_code == 200
        assert api.get(f"/partnership/agreements/{agreement.pk}/").status_code == 200
    for user in (teacher_a, director_b, outsider):
        api = client_for(user)
        assert api.get("/api/v1/partnership/agreements").json() == []
        assert api.get(f"/api/v1/partnership/agreements/{agreement.pk}").status_code == 404
        assert api.patch(f"/api/v1/partnership/agreements/{agreement.pk}", {"status": "terminated"},
                         content_type="application/json").status_code == 404
        assert api.get(f"/partnership/agreements/{agreement.pk}/").status_code == 404
    for user in (principal_a, supervisor_a):
        assert client_for(user).patch(f"/api/v1/partnership/agreements/{agreement.pk}", {"status": "terminated"},
                                      content_type="application/json").status_code == 403
    response = client_for(agency_admin).patch(f"/api/v1/partnership/agreements/{agreement.pk}",
                                              {"status": "terminated"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["standing"] == "terminated"
    # A director of another district cannot record an agreement for district A's parties.
    response = client_for(director_b).post("/api/v1/partnership/agreements", body(world),
                                           content_type="application/json")
    assert response.status_code == 403 and SharingAgreement.objects.count() == 1


def test_the_api_asks_for_credentials(world, agreement, client):
    for method, url in [("get", "/api/v1/partnership/agreements"), ("post", "/api/v1/partnership/agreements"),
                        ("get", f"/api/v1/partnership/agreements/{agreement.pk}"),
                        ("patch", f"/api/v1/partnership/agreements/{agreement.pk}")]:
        assert getattr(client, method)(url).status_code == 401, url


def test_the_pages_record_an_agreement(world, director_a):
    api = client_for(director_a)
    assert api.get("/partnership/agreements/new/").status_code == 200
    form = {"title": "Page agreement", "agencies": [world.agency_a.pk], "districts": [world.district_a.pk],
            "data_categories": ["video"], "legal_basis": "court_order", "legal_citation": "",
            "retention_days": 90, "effective_date": "2026-01-01", "status": "draft"}
    bad = api.post("/partnership/agreements/new/", form)
    assert bad.status_code == 400 and "cite the statute or the court order" in bad.content.decode()
    assert not SharingAgreement.objects.exists()
    response = api.post("/partnership/agreements/new/", {**form, "legal_citation": "Case 2026-CV-12"})
    agreement = SharingAgreement.objects.get()
    assert response.status_code == 302
    page = api.get(f"/partnership/agreements/{agreement.pk}/").content.decode()
    assert "Court order: Case 2026-CV-12" in page and "Video" in page
