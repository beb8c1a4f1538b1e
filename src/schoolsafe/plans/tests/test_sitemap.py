"""Site map GeoJSON: what is accepted, what is refused and how the refusal names the feature."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schoolsafe.audit.models import AuditEntry
from schoolsafe.plans.actions import do_save_site_map
from schoolsafe.plans.models import SiteMap
from schoolsafe.plans.sitemap import SiteMapError, check_site_map, features_for
from schoolsafe.plans.tests.helpers import small_map
from schoolsafe.testing.personas import client_for


def point(kind: str, lon: float, lat: float, **props) -> dict:
    return {"type": "Feature", "properties": {"kind": kind, **props}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def refused(data, school) -> list[str]:
    with pytest.raises(SiteMapError) as caught:
        check_site_map(data, school)
    return caught.value.problems


def test_a_plausible_map_is_accepted_and_cleaned(world):
    school = world.school_a
    data = small_map(school)
    data["features"][0]["properties"]["color"] = "red"  # unknown property: dropped
    data["features"][1]["geometry"]["coordinates"].append(12.0)  # altitude: dropped
    cleaned = check_site_map(data, school)
    assert len(cleaned["features"]) == 3
    assert "color" not in cleaned["features"][0]["properties"]
    assert len(cleaned["features"][1]["geometry"]["coordinates"]) == 2


def test_swapped_latitude_and_longitude_is_refused_naming_the_feature(world):
    school = world.school_a
    data = small_map(school)
    lon, lat = data["features"][1]["geometry"]["coordinates"]
    data["features"][1]["geometry"]["coordinates"] = [lat, lon]
    problems = refused(data, school)
    assert len(problems) == 1
    assert problems[0].startswith("feature 2 ('North hall exit')")
    assert "latitude and longitude are swapped" in problems[0]


def test_swapped_position_out_of_range_says_it_looks_swapped(world):
    problems = refused({"type": "FeatureCollection", "features": [point("aed", 35.1, 120.5, name="AED gym")]}, None)
    assert "feature 1 ('AED gym')" in problems[0]
    assert "out of range" in problems[0] and "look swapped" in problems[0]


def test_a_far_away_point_is_refused_with_its_distance(world):
    school = world.school_a
    far = point("rally_point", school.longitude + 0.5, school.latitude, name="Wrong field")
    problems = refused({"type": "FeatureCollection", "features": [far]}, school)
    assert "feature 1 ('Wrong field')" in problems[0] and "km from the school" in problems[0]


def test_an_unclosed_polygon_is_refused(world):
    school = world.school_a
    data = small_map(school)
    ring = data["features"][0]["geometry"]["coordinates"][0]
    ring.pop()  # drop the closing position
    ring.append([ring[0][0] + 0.0001, ring[0][1]])
    problems = refused(data, school)
    assert problems == [problems[0]]
    assert problems[0].startswith("feature 1 ('Main building (classrooms, offices)') ring 1 is not closed")


def test_an_unknown_type_and_geometry_are_refused(world):
    school = world.school_a
    data = small_map(school)
    data["features"][1]["type"] = "Featur"
    data["features"][2]["geometry"]["type"] = "Circle"
    problems = refused(data, school)
    assert any(p.startswith("feature 2 ('North hall exit') has an unknown type 'Featur'") for p in problems)
    assert any(p.startswith("feature 3 ('South parking lot rally point') has an unknown geometry type 'Circle'")
               for p in problems)


def test_an_exit_needs_its_door_number_and_a_shutoff_its_utility(world):
    school = world.school_a
    data = {"type": "FeatureCollection", "features": [
        point("exit", school.longitude, school.latitude, name="Back door"),
        point("utility_shutoff", school.longitude, school.latitude, name="Valve", utility="steam"),
    ]}
    problems = refused(data, school)
    assert "feature 1 ('Back door'): an exit needs its door number" in problems[0]
    assert "feature 2 ('Valve'): a utility shut-off needs 'utility'" in problems[1]


def test_a_kind_drawn_with_the_wrong_geometry_is_refused(world):
    school = world.school_a
    data = small_map(school)
    data["features"][1]["geometry"] = copy.deepcopy(data["features"][0]["geometry"])
    problems = refused(data, school)
    assert "feature 2 ('North hall exit'): an exit is drawn as Point, not Polygon" in problems[0]


def test_not_a_feature_collection_is_refused(world):
    assert "FeatureCollection" in refused({"type": "Feature"}, None)[0]
    assert "FeatureCollection" in refused([1, 2], None)[0]


def test_refused_map_leaves_the_stored_map_and_the_audit_log_unchanged(world, principal_a):
    school = world.school_a
    do_save_site_map(principal_a, school, small_map(school))
    before = SiteMap.objects.get(school=school).geojson
    audit_rows = AuditEntry.objects.count()
    bad = small_map(school)
    bad["features"][2]["geometry"]["type"] = "Circle"
    with pytest.raises(SiteMapError):
        do_save_site_map(principal_a, school, bad)
    assert SiteMap.objects.get(school=school).geojson == before
    assert AuditEntry.objects.count() == audit_rows


def test_features_for_gives_labels_for_other_apps(world, principal_a):
    school = world.school_a
    assert features_for(school) == {"type": "FeatureCollection", "features": []}
    do_save_site_map(principal_a, school, small_map(school))
    features = features_for(school)["features"]
    assert [f["properties"]["kind_label"] for f in features] == ["Building", "Exit", "Rally point"]
    assert features[1]["properties"]["label"] == "North hall exit"
    assert features[1]["properties"]["door"] == "7"


# --- API ----------------------------------------------------------------------------------------------


def url(school) -> str:
    return f"/api/v1/schools/{school.pk}/site-map"


def put(client, school, data):
    return client.put(url(school), data=json.dumps(data), content_type="application/json")


def test_api_put_stores_the_map_and_get_returns_it(world, principal_a, teacher_a):
    school = world.school_a
    response = put(client_for(principal_a), school, small_map(school))
    assert response.status_code == 200, response.content
    assert len(response.json()["features"]) == 3
    got = client_for(teacher_a).get(url(school))
    assert got.status_code == 200
    assert [f["properties"]["label"] for f in got.json()["features"]] == [
        "Main building (classrooms, offices)", "North hall exit", "South parking lot rally point"]
    assert AuditEntry.objects.filter(action="plans.save_site_map").count() == 1


@pytest.mark.parametrize("breakage", ["swapped", "unclosed", "self-intersecting"])
def test_api_put_refuses_bad_geojson_naming_the_feature_and_keeps_the_map(world, principal_a, breakage):
    school = world.school_a
    client = client_for(principal_a)
    assert put(client, school, small_map(school)).status_code == 200
    stored = SiteMap.objects.get(school=school).geojson
    bad = small_map(school)
    if breakage == "swapped":
        lon, lat = bad["features"][2]["geometry"]["coordinates"]
        bad["features"][2]["geometry"]["coordinates"] = [lat, lon]
        expected = "feature 3 ('South parking lot rally point')"
    elif breakage == "unclosed":
        bad["features"][0]["geometry"]["coordinates"][0].pop()
        bad["features"][0]["geometry"]["coordinates"][0].append([school.longitude, school.latitude])
        expected = "feature 1 ('Main building (classrooms, offices)') ring 1 is not closed"
    else:
        x, y, d = school.longitude, school.latitude, 0.0005
        bad["features"][0]["geometry"]["coordinates"] = [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]]
        expected = "feature 1 ('Main building (classrooms, offices)') is not a valid polygon: Self-intersection"
    response = put(client, school, bad)
    assert response.status_code == 422
    body = response.json()
    assert expected in body["detail"]
    assert any(expected in p for p in body["problems"])
    assert SiteMap.objects.get(school=school).geojson == stored


def test_api_put_refuses_a_body_that_is_not_json(world, principal_a):
    response = client_for(principal_a).put(url(world.school_a), data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("body: not JSON")
    assert not SiteMap.objects.exists()


def test_api_site_map_anonymous_is_401(world, client):
    assert client.get(url(world.school_a)).status_code == 401
    assert put(client, world.school_a, small_map(world.school_a)).status_code == 401


def test_api_site_map_of_another_school_is_404(world, teacher_b, principal_a):
    assert client_for(teacher_b).get(url(world.school_a)).status_code == 404
    # The principal of school A cannot write school B's map, nor learn it exists.
    response = put(client_for(principal_a), world.school_b, small_map(world.school_b))
    assert response.status_code == 404
    assert not SiteMap.objects.exists()


def test_api_site_map_put_by_a_reader_who_may_not_change_it_is_403(world, teacher_a):
    response = put(client_for(teacher_a), world.school_a, small_map(world.school_a))
    assert response.status_code == 403
    assert not SiteMap.objects.exists()


# --- pages: editor, import, export -----------------------------------------------------------------


def test_editor_page_carries_the_features_and_scripts_from_the_packaged_leaflet(world, principal_a):
    school = world.school_a
    do_save_site_map(principal_a, school, small_map(school))
    response = client_for(principal_a).get(f"/plans/schools/{school.pk}/site-map/")
    assert response.status_code == 200
    html = response.content.decode()
    for asset in ("leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "leaflet/draw/leaflet.draw.css",
                  "plans/site-map-editor.js"):
        assert asset in html
    assert "<script>" not in html  # CSP: no inline script, the data rides in a JSON block
    assert "North hall exit" in html and 'id="map-save"' in html


def test_editor_page_for_a_reader_has_no_save_button(world, teacher_a):
    html = client_for(teacher_a).get(f"/plans/schools/{world.school_a.pk}/site-map/").content.decode()
    assert 'id="map-save"' not in html


def test_import_replaces_the_map_and_export_gives_it_back(world, principal_a):
    school = world.school_a
    client = client_for(principal_a)
    upload = SimpleUploadedFile("campus.geojson", json.dumps(small_map(school)).encode(), "application/geo+json")
    response = client.post(f"/plans/schools/{school.pk}/site-map/import", {"file": upload})
    assert response.status_code == 302
    exported = client.get(f"/plans/schools/{school.pk}/site-map.geojson")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "application/geo+json"
    assert "attachment" in exported["Content-Disposition"] and ".geojson" in exported["Content-Disposition"]
    assert json.loads(exported.content) == check_site_map(small_map(school), school)


def test_import_of_a_bad_file_lists_the_problems_and_keeps_the_map(world, principal_a):
    school = world.school_a
    client = client_for(principal_a)
    do_save_site_map(principal_a, school, small_map(school))
    bad = small_map(school)
    bad["features"][0]["geometry"]["coordinates"][0].pop()
    upload = SimpleUploadedFile("campus.geojson", json.dumps(bad).encode())
    response = client.post(f"/plans/schools/{school.pk}/site-map/import", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file was refused; the stored map is unchanged." in html
    assert "feature 1 (&#x27;Main building (classrooms, offices)&#x27;) ring 1" in html
    assert SiteMap.objects.get(school=school).geojson == check_site_map(small_map(school), school)
    not_json = SimpleUploadedFile("campus.geojson", b"\x00\xff garbage")
    assert client.post(f"/plans/schools/{school.pk}/site-map/import", {"file": not_json}).status_code == 400


def test_site_map_pages_anonymous_and_without_permission(world, client, teacher_b, principal_a):
    school = world.school_a
    page = f"/plans/schools/{school.pk}/site-map/"
    assert client.get(page).status_code == 302
    assert client_for(teacher_b).get(page).status_code == 404
    assert client_for(teacher_b).get(f"/plans/schools/{school.pk}/site-map.geojson").status_code == 404
    upload = SimpleUploadedFile("campus.geojson", json.dumps(small_map(world.school_b)).encode())
    assert client_for(principal_a).post(f"/plans/schools/{world.school_b.pk}/site-map/import",
                                        {"file": upload}).status_code == 404
