"""GET /api/v1/schools: only the schools the caller may see, filtered and paginated."""

from __future__ import annotations

import pytest
from django.test import Client

from schoolsafe.accounts.models import Membership
from schoolsafe.testing.factories import SchoolFactory
from schoolsafe.testing.personas import client_for


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_anonymous_gets_401_with_a_json_detail(world):
    for path in ("/api/v1/schools", f"/api/v1/schools/{world.school_a.pk}"):
        response = Client().get(path)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "authentication required"}


def test_a_teacher_sees_exactly_their_own_school(world, teacher_a):
    response = client_for(teacher_a).get("/api/v1/schools")
    assert names(response) == ["School A High"]
    assert response.json()["count"] == 1
    item = response.json()["items"][0]
    assert item["id"] == world.school_a.pk
    assert item["district"] == {"id": world.district_a.pk, "name": "District A"}
    assert item["agencies"] == [world.agency_a.pk]


def test_a_district_director_sees_every_school_of_their_district_only(world, director_a):
    # Sorted by name: "School A Elementary" before "School A High"; district B's school absent.
    assert names(client_for(director_a).get("/api/v1/schools")) == ["School A Elementary", "School A High"]


def test_a_dispatcher_sees_the_schools_their_agency_serves(world, dispatcher):
    assert names(client_for(dispatcher).get("/api/v1/schools")) == ["School A High"]
    world.school_a2.agencies.add(world.agency_a)
    assert names(client_for(dispatcher).get("/api/v1/schools")) == ["School A Elementary", "School A High"]


def test_a_user_without_membership_sees_an_empty_list(world, outsider):
    response = client_for(outsider).get("/api/v1/schools")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_filter_by_district_and_by_agency(world, director_a):
    # A director of both districts sees all three schools; each filter narrows that.
    Membership.objects.create(user=director_a, role="district_director", district=world.district_b)
    client = client_for(director_a)
    assert names(client.get("/api/v1/schools")) == ["School A Elementary", "School A High", "School B High"]
    assert names(client.get(f"/api/v1/schools?district={world.district_b.pk}")) == ["School B High"]
    assert names(client.get(f"/api/v1/schools?district={world.district_a.pk}")) == ["School A Elementary", "School A High"]
    assert names(client.get(f"/api/v1/schools?agency={world.agency_a.pk}")) == ["School A High"]
    assert names(client.get(f"/api/v1/schools?agency={world.agency_b.pk}")) == ["School B High"]
    both = client.get(f"/api/v1/schools?agency={world.agency_b.pk}&district={world.district_a.pk}")
    assert names(both) == []


def test_a_filter_cannot_reach_beyond_what_the_caller_may_see(world, teacher_a):
    client = client_for(teacher_a)
    assert names(client.get(f"/api/v1/schools?district={world.district_b.pk}")) == []
    assert names(client.get(f"/api/v1/schools?agency={world.agency_b.pk}")) == []


def test_pagination_gives_a_count_and_pages_of_items(world, director_a):
    for n in range(53):
        SchoolFactory(name=f"Extra School {n:02d}", district=world.district_a)
    client = client_for(director_a)
    first = client.get("/api/v1/schools").json()
    second = client.get("/api/v1/schools?page=2").json()
    assert first["count"] == second["count"] == 55
    assert len(first["items"]) == 50  # the default page size
    assert len(second["items"]) == 5
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(seen)) == 55
    small = client.get("/api/v1/schools?page=3&page_size=2").json()
    assert [i["name"] for i in small["items"]] == ["Extra School 04", "Extra School 05"]


def test_another_districts_school_is_404_not_403(world, teacher_a):
    response = client_for(teacher_a).get(f"/api/v1/schools/{world.school_b.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    # Same district, another school: still not theirs.
    assert client_for(teacher_a).get(f"/api/v1/schools/{world.school_a2.pk}").status_code == 404


def test_own_school_by_id(world, teacher_a):
    response = client_for(teacher_a).get(f"/api/v1/schools/{world.school_a.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "School A High"


def test_an_unknown_school_is_404_like_a_hidden_one(world, director_a):
    unknown = client_for(director_a).get("/api/v1/schools/987654321")
    hidden = client_for(director_a).get(f"/api/v1/schools/{world.school_b.pk}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [("district=abc", "district"), ("agency=1.5", "agency"), ("page=0", "page"), ("page=x", "page")],
)
def test_a_bad_filter_is_422_naming_the_field(world, director_a, query, field):
    response = client_for(director_a).get(f"/api/v1/schools?{query}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail.startswith(f"{field}: ")
