"""Site map geometry: winding by the right-hand rule, invalid polygons refused naming the
feature, and a geojson.io export without `kind` kept as "other". Checked with third-party readers: the
`geojson` package and shapely."""

from __future__ import annotations

import json

import geojson
import pytest
import shapely
from shapely.geometry import shape

from schoolsafe.plans.models import SiteMap
from schoolsafe.plans.sitemap import SiteMapError, check_site_map
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db

D = 0.0005


def square(x: float, y: float, *, clockwise: bool) -> list[list[float]]:
    ring = [[x, y], [x + D, y], [x + D, y + D], [x, y + D], [x, y]]
    return ring[::-1] if clockwise else ring


def feature(ring_sets, kind="building", name="Gym", **extra):
    return {"type": "Feature", "properties": {"kind": kind, "name": name},
            "geometry": {"type": "Polygon", "coordinates": ring_sets}, **extra}


def put(client, school, data):
    return client.put(f"/api/v1/schools/{school.pk}/site-map", data=json.dumps(data), content_type="application/json")


def test_26_15_outer_rings_are_stored_counter_clockwise_and_holes_clockwise(world, principal_a):
    school = world.school_a
    x, y = school.longitude, school.latitude
    outer = square(x, y, clockwise=True)
    hole = [[x + D / 4, y + D / 4], [x + D / 2, y + D / 4], [x + D / 2, y + D / 2], [x + D / 4, y + D / 4]]  # ccw
    data = {"type": "FeatureCollection", "features": [feature([outer, hole])]}

    response = put(client_for(principal_a), school, data)

    assert response.status_code == 200, response.content
    stored = SiteMap.objects.get(school=school).geojson
    parsed = geojson.loads(json.dumps(stored))
    assert parsed.is_valid, parsed.errors()
    polygon = shape(stored["features"][0]["geometry"])
    assert polygon.is_valid
    assert polygon.exterior.is_ccw
    assert not polygon.interiors[0].is_ccw
    # The same shape (to the stored 7 decimals), only wound the other way.
    assert polygon.symmetric_difference(shape(data["features"][0]["geometry"])).area < 1e-12
    assert shapely.is_ccw(shapely.get_exterior_ring(polygon))


@pytest.mark.parametrize(("ring", "reason"), [
    ("bowtie", "is not a valid polygon: Self-intersection"),
    ("one point", "the outline has fewer than 3 distinct positions"),
])
def test_26_15_an_invalid_polygon_is_refused_naming_the_feature(world, principal_a, ring, reason):
    school = world.school_a
    x, y = school.longitude, school.latitude
    coords = [[x, y], [x + D, y + D], [x + D, y], [x, y + D], [x, y]] if ring == "bowtie" else [[x, y]] * 4
    assert not shape({"type": "Polygon", "coordinates": [coords]}).is_valid  # shapely agrees it is invalid
    data = {"type": "FeatureCollection", "features": [
        feature([square(x, y, clockwise=False)], name="Main building"),
        feature([coords], name="Portable classroom 3")]}

    response = put(client_for(principal_a), school, data)

    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem.startswith(f"feature 2 ('Portable classroom 3') {reason}") or \
        problem.startswith(f"feature 2 ('Portable classroom 3'): {reason}"), problem
    assert not SiteMap.objects.filter(school=school).exists()


def test_26_15_a_geojson_io_export_without_kind_is_kept_as_other_with_a_warning_and_its_id(world, principal_a):
    school = world.school_a
    x, y = school.longitude, school.latitude
    # What geojson.io exports: an id on each feature, properties without our `kind`.
    export = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a1b2", "properties": {"name": "Bus loop"},
         "geometry": {"type": "Polygon", "coordinates": [square(x, y, clockwise=False)]}},
        {"type": "Feature", "id": 7, "properties": {"marker-color": "#7e7e7e", "kind": "helipad"},
         "geometry": {"type": "Point", "coordinates": [x, y]}},
        {"type": "Feature", "properties": {"kind": "exit", "door": "4"},
         "geometry": {"type": "Point", "coordinates": [x, y]}},
    ]}
    assert geojson.loads(json.dumps(export)).is_valid

    response = put(client_for(principal_a), school, export)

    assert response.status_code == 200, response.content
    body = response.json()
    assert [f["properties"]["kind"] for f in body["features"]] == ["other", "other", "exit"]
    assert [f.get("id") for f in body["features"]] == ["a1b2", 7, None]
    assert [f["properties"]["label"] for f in body["features"]][:1] == ["Bus loop"]
    assert len(body["warnings"]) == 2
    assert body["warnings"][0].startswith("feature 1 ('Bus loop') has no kind: kept as \"other\"")
    assert body["warnings"][1].startswith("feature 2 ('Feature') has an unknown feature kind 'helipad': kept as \"other\"")
    stored = SiteMap.objects.get(school=school).geojson
    assert geojson.loads(json.dumps(stored)).is_valid
    assert stored["features"][0]["id"] == "a1b2"


def test_26_15_the_import_page_shows_the_warnings(world, principal_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    school = world.school_a
    export = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "z9", "properties": {},
         "geometry": {"type": "Point", "coordinates": [school.longitude, school.latitude]}}]}
    client = client_for(principal_a)
    upload = SimpleUploadedFile("map.geojson", json.dumps(export).encode())
    response = client.post(f"/plans/schools/{school.pk}/site-map/import", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "has no kind: kept as &quot;other&quot;" in response.content.decode()


def test_26_15_check_site_map_still_refuses_with_site_map_error(world):
    school = world.school_a
    with pytest.raises(SiteMapError):
        check_site_map({"type": "FeatureCollection", "features": [feature([[[0, 0]] * 4])]}, school)
