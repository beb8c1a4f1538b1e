"""Referrals, citations and arrests: who records, who sees rows (404 for everyone else, pages and API alike),
every row read audited, aggregates for the school's leads, and bad input refused naming the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.errors import ActionError
from schoolsafe.sro import actions
from schoolsafe.sro.models.referrals import EnrollmentCount, StudentReferral
from schoolsafe.sro.terms import school_year_of
from schoolsafe.testing.personas import client_for, make_person

YEAR = school_year_of(timezone.localdate())


def fields(**overrides):
    data = {"kind": "citation", "offence": "disorderly", "date": timezone.localdate().isoformat(), "grade": "10",
            "race": "black", "sex": "male", "disability": "idea", "english_learner": "no"}
    data.update(overrides)
    return data


@pytest.fixture
def referral_a(world, sro_a):
    return actions.do_record_referral(sro_a, world.school_a, **fields())


@pytest.fixture
def enrolment_a(world, director_a):
    for group, n in (("white", 300), ("black", 200), ("pacific_islander", 6)):
        actions.do_set_enrollment(director_a, world.school_a, school_year=YEAR, dimension="race", group=group, count=n)


def post(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


# --- actions ---


def test_an_officer_records_and_the_audit_log_keeps_no_student_groups(world, sro_a):
    referral = actions.do_record_referral(sro_a, world.school_a.pk, **fields())
    assert referral.officer == sro_a and referral.school_year == YEAR and referral.term in ("summer", "fall", "spring")
    entry = AuditEntry.objects.get(action="sro.record_referral")
    assert entry.object_id == str(referral.pk) and entry.organization == f"school:{world.school_a.pk}"
    assert "black" not in json.dumps(entry.summary) and "idea" not in json.dumps(entry.summary)


@pytest.mark.parametrize(("override", "field", "status"), [
    ({"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "date", 422),
    ({"date": "yesterday"}, "date", 400),
    ({"grade": "05"}, "grade", 422),  # school A serves 09-12
    ({"grade": "13"}, "grade", 400),
    ({"offence": "jaywalking"}, "offence", 400),
    ({"kind": "detention"}, "kind", 400),
    ({"race": "martian"}, "race", 400),
    ({"english_learner": "maybe"}, "english_learner", 400),
])
def test_bad_input_names_the_field_and_writes_nothing(world, sro_a, override, field, status):
    world.school_a.low_grade, world.school_a.high_grade = "09", "12"
    world.school_a.save()
    with pytest.raises(ActionError) as caught:
        actions.do_record_referral(sro_a, world.school_a, **fields(**override))
    assert caught.value.field == field and caught.value.status == status
    assert not StudentReferral.objects.exists() and not AuditEntry.objects.filter(action="sro.record_referral").exists()


def test_unknown_school_and_unknown_incident(world, sro_a):
    with pytest.raises(ActionError) as caught:
        actions.do_record_referral(sro_a, 999999, **fields())
    assert (caught.value.field, caught.value.status) == ("school", 404)
    with pytest.raises(ActionError) as caught:
        actions.do_record_referral(sro_a, world.school_a, incident_id=424242, **fields())
    assert caught.value.field == "incident_id"
    assert not StudentReferral.objects.exists()


def test_a_teacher_may_not_record(world, teacher_a, teacher_b):
    with pytest.raises(ActionError) as caught:
        actions.do_record_referral(teacher_a, world.school_a, **fields())
    assert (caught.value.field, caught.value.status) == ("school", 403)
    with pytest.raises(ActionError) as caught:
        actions.do_record_referral(teacher_b, world.school_a, **fields())
    assert caught.value.status == 404


def test_enrolment_is_the_directors_and_checked(world, director_a, principal_a):
    row = actions.do_set_enrollment(director_a, world.school_a, school_year=YEAR, dimension="race", group="asian",
                                    count=40)
    assert actions.do_set_enrollment(director_a, world.school_a, school_year=YEAR, dimension="race", group="asian",
                                     count=41).pk == row.pk
    for bad, field in (({"dimension": "height"}, "dimension"), ({"group": "martian"}, "group"),
                       ({"count": -1}, "count"), ({"school_year": 1990}, "school_year")):
        args = {"school_year": YEAR, "dimension": "race", "group": "asian", "count": 5, **bad}
        with pytest.raises(ActionError) as caught:
            actions.do_set_enrollment(director_a, world.school_a, **args)
        assert caught.value.field == field
    with pytest.raises(ActionError) as caught:
        actions.do_set_enrollment(principal_a, world.school_a, school_year=YEAR, dimension="race", group="asian",
                                  count=1)
    assert caught.value.status == 403
    assert EnrollmentCount.objects.get().count == 41


def test_correction_by_the_supervisor(world, referral_a, supervisor_a, sro_a):
    corrected = actions.do_correct_referral(supervisor_a, referral_a.pk, offence="assault")
    assert corrected.offence == "assault" and corrected.corrected_at is not None
    assert AuditEntry.objects.get(action="sro.correct_referral").summary == {"fields": ["offence"]}
    from django.http import Http404

    with pytest.raises(Http404):
        actions.do_correct_referral(sro_a, referral_a.pk, offence="theft")


# --- who sees rows: pages and API ---


@pytest.fixture
def member_b(world):
    """A police supervisor and a director of the other district."""
    return make_person("supervisor_b", "police_supervisor", world.agency_b, "agency")


def test_rows_are_404_for_teacher_analyst_other_district_and_the_officer(
        world, referral_a, teacher_a, analyst_a, director_b, member_b, principal_a, sro_a):
    for user in (teacher_a, analyst_a, director_b, member_b, principal_a, sro_a):
        client = client_for(user)
        assert client.get(f"/sro/referrals/{referral_a.pk}/").status_code == 404, user
        assert client.get(f"/api/v1/sro/referrals/{referral_a.pk}").status_code == 404, user
        listing = client.get("/api/v1/sro/referrals")
        assert listing.status_code == 404 or listing.json() == [], user
        page = client.get("/sro/referrals/")
        assert page.status_code == 404 or f"#{referral_a.pk}" not in page.content.decode(), user
        patch = post(client, f"/api/v1/sro/referrals/{referral_a.pk}", {"offence": "theft"}, method="patch")
        assert patch.status_code == 404, user
    assert not AuditEntry.objects.filter(action__in=["sro.read_studentreferral"]).exists()
    referral_a.refresh_from_db()
    assert referral_a.offence == "disorderly"


def test_rows_are_seen_by_the_supervisor_and_the_director_and_every_read_is_audited(
        world, referral_a, supervisor_a, director_a):
    for user in (supervisor_a, director_a):
        client = client_for(user)
        page = client.get(f"/sro/referrals/{referral_a.pk}/")
        assert page.status_code == 200 and "Black or African American" in page.content.decode()
        assert client.get(f"/api/v1/sro/referrals/{referral_a.pk}").json()["race"] == "black"
        assert f"#{referral_a.pk}" in client.get("/sro/referrals/").content.decode()
        assert [r["id"] for r in client.get("/api/v1/sro/referrals").json()] == [referral_a.pk]
        reads = AuditEntry.objects.filter(actor=user)
        assert reads.filter(action="sro.read_studentreferral").count() == 2
        assert reads.filter(action="sro.read_referral_list").count() == 2
        assert all(referral_a.pk in e.summary["ids"] for e in reads.filter(action="sro.read_referral_list"))


# --- the API: anonymous, without permission, with ---


@pytest.fixture
def endpoints(world, referral_a):
    return [
        ("post", "/api/v1/sro/referrals", {"school_id": world.school_a.pk, **fields()}),
        ("get", "/api/v1/sro/referrals", None),
        ("get", f"/api/v1/sro/referrals/{referral_a.pk}", None),
        ("patch", f"/api/v1/sro/referrals/{referral_a.pk}", {"offence": "theft"}),
        ("put", "/api/v1/sro/enrollment", {"school_id": world.school_a.pk, "school_year": YEAR, "dimension": "race",
                                          "group": "white", "count": 300}),
        ("get", f"/api/v1/sro/equity/schools/{world.school_a.pk}?school_year={YEAR}", None),
        ("get", f"/api/v1/sro/equity/districts/{world.district_a.pk}?school_year={YEAR}", None),
    ]


def call(client, method, url, data):
    return client.get(url) if method == "get" else post(client, url, data, method=method)


def test_every_endpoint_needs_authentication(endpoints):
    for method, url, data in endpoints:
        assert call(Client(), method, url, data).status_code == 401, url
    assert StudentReferral.objects.count() == 1 and not EnrollmentCount.objects.exists()


def test_every_endpoint_is_404_for_another_district(endpoints, director_b, teacher_b):
    for user in (director_b, teacher_b):
        client = client_for(user)
        for method, url, data in endpoints:
            response = call(client, method, url, data)
            if url == "/api/v1/sro/referrals" and method == "get" and user == director_b:
                assert response.json() == [], url
            else:
                assert response.status_code == 404, (user, method, url, response.content)
    assert StudentReferral.objects.count() == 1 and not EnrollmentCount.objects.exists()


def test_every_endpoint_answers_with_permission(endpoints, world, supervisor_a, director_a, sro_a):
    who = {"/api/v1/sro/enrollment": director_a}
    for method, url, data in endpoints:
        user = sro_a if method == "post" else who.get(url, supervisor_a)
        response = call(client_for(user), method, url, data)
        assert response.status_code == (201 if method == "post" else 200), (method, url, response.content)
    assert StudentReferral.objects.count() == 2 and StudentReferral.objects.filter(offence="theft").count() == 1


def test_api_bad_input_is_a_4xx_naming_the_field(world, sro_a):
    client = client_for(sro_a)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = post(client, "/api/v1/sro/referrals", {"school_id": world.school_a.pk, **fields(date=future)})
    assert response.status_code == 422 and response.json()["detail"].startswith("date:")
    response = post(client, "/api/v1/sro/referrals", {"school_id": 987654, **fields()})
    assert response.status_code == 404 and response.json()["detail"].startswith("school:")
    response = post(client, "/api/v1/sro/referrals", {"school_id": world.school_a.pk, **fields(offence="x")})
    assert response.status_code == 400 and response.json()["detail"].startswith("offence:")
    assert not StudentReferral.objects.exists()


# --- aggregates ---


def test_aggregates_for_the_schools_leads_and_police_with_small_groups_suppressed(
        world, enrolment_a, sro_a, principal_a, teacher_a, analyst_a, director_b):
    for race in ["white"] * 12 + ["black"] * 15 + ["pacific_islander"] * 2:
        actions.do_record_referral(sro_a, world.school_a, **fields(race=race, date=f"{YEAR}-10-0{1 + len(race) % 8}"))
    url = f"/api/v1/sro/equity/schools/{world.school_a.pk}?school_year={YEAR}"
    for user in (sro_a, principal_a):
        body = client_for(user).get(url).json()
        race = {g["group"]: g for d in body["dimensions"] if d["dimension"] == "race" for g in d["groups"]}
        assert race["pacific_islander"]["suppressed"] and race["pacific_islander"]["count"] is None
        # The next-smallest is hidden too, so 29 - shown never gives the 2 away.
        assert race["white"]["suppressed"] and race["black"]["count"] == 15
        page = client_for(user).get(f"/sro/equity/schools/{world.school_a.pk}/?year={YEAR}")
        html = page.content.decode()
        assert page.status_code == 200 and "fewer than 10" in html and 'role="img"' in html
    for user in (teacher_a, analyst_a):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).get(f"/sro/equity/schools/{world.school_a.pk}/").status_code == 403
    assert client_for(director_b).get(url).status_code == 404
    assert client_for(director_b).get(f"/sro/equity/schools/{world.school_a.pk}/").status_code == 404
    assert client_for(teacher_a).get(f"/sro/equity/districts/{world.district_a.pk}/").status_code == 404


def test_the_record_form(world, sro_a):
    client = client_for(sro_a)
    assert client.get("/sro/referrals/new/").status_code == 200
    data = {"school": world.school_a.pk, **fields(date=(timezone.localdate() + dt.timedelta(days=2)).isoformat())}
    page = client.post("/sro/referrals/new/", data)
    assert page.status_code == 400 and "is in the future" in page.content.decode()
    assert not StudentReferral.objects.exists()
    assert client.post("/sro/referrals/new/", {"school": world.school_a.pk, **fields()}).status_code == 302
    assert StudentReferral.objects.count() == 1


def test_the_director_imports_enrolment_from_csv_and_one_bad_row_imports_nothing(world, director_a, principal_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(director_a)
    good = (f"school,school_year,dimension,group,count\n{world.school_a.name},{YEAR},race,white,300\n"
            f"{world.school_a.name},{YEAR},race,black,200\n").encode()
    page = client.post("/sro/equity/enrollment/", {"file": SimpleUploadedFile("e.csv", good, "text/csv")})
    assert page.status_code == 200 and "Imported 2 rows" in page.content.decode()
    bad = (f"school,school_year,dimension,group,count\n{world.school_a.name},{YEAR},race,asian,40\n"
           f"{world.school_a.name},{YEAR},race,martian,3\n").encode()
    page = client.post("/sro/equity/enrollment/", {"file": SimpleUploadedFile("e.csv", bad, "text/csv")})
    assert page.status_code == 400 and "line 3, group" in page.content.decode()
    assert sorted(EnrollmentCount.objects.values_list("group", flat=True)) == ["black", "white"]
    other = f"school,school_year,dimension,group,count\n{world.school_b.name},{YEAR},race,asian,40\n".encode()
    page = client.post("/sro/equity/enrollment/", {"file": SimpleUploadedFile("e.csv", other, "text/csv")})
    assert page.status_code == 400 and "line 2, school" in page.content.decode()
    assert client_for(principal_a).get("/sro/equity/enrollment/").status_code == 404
