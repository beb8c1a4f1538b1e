"""Deeply nested JSON and out-of-range integers answer 4xx with `detail`, never 500.

Checked once for every endpoint by schoolsafe.core.inputlimits.InputLimitsMiddleware (and, for an uploaded
site-map file, by the same parser).
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.testing.personas import client_for

BIG = 10**20  # beyond every database's 64-bit integer
DEPTHS = [40, 5_000, 100_000]  # past the limit; past Python's recursion limit; far past it


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def token_client(user) -> Client:
    _, raw = do_create_api_token("tests", user, "input limits")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def refused(response, status: int = 400) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["detail"]


@pytest.mark.parametrize("depth", DEPTHS)
def test_25_10_deeply_nested_json_to_the_alert_endpoints_is_400(teacher_a, world, depth):
    api = token_client(teacher_a)
    body = f'{{"school": {world.school_a.pk}, "action": "hold", "location": {nested(depth)}}}'
    assert "nested" in refused(api.post("/api/v1/alerts", body, content_type="application/json"))
    raised = api.post("/api/v1/alerts", json.dumps({"school": world.school_a.pk, "action": "hold"}),
                      content_type="application/json")
    assert raised.status_code == 201
    alert = raised.json()["id"]
    body = f'{{"room": "A1", "status": "ok", "missing": {nested(depth)}}}'
    assert "nested" in refused(api.post(f"/api/v1/alerts/{alert}/room-status", body, content_type="application/json"))
    assert "nested" in refused(api.post("/api/v1/events/receipts", f'{{"ids": {nested(depth)}}}',
                                        content_type="application/json"))


@pytest.mark.parametrize("depth", DEPTHS)
def test_25_10_deeply_nested_json_to_the_site_map_is_400(principal_a, world, depth):
    api = token_client(principal_a)
    body = f'{{"type": "FeatureCollection", "features": {nested(depth)}}}'
    url = f"/api/v1/schools/{world.school_a.pk}/site-map"
    assert "nested" in refused(api.put(url, body, content_type="application/json"))
    assert "nested" in refused(api.put(url, body, content_type="application/geo+json"))
    # The same map uploaded as a file on the site-map page.
    upload = SimpleUploadedFile("campus.geojson", body.encode(), content_type="application/geo+json")
    page = client_for(principal_a).post(f"/plans/schools/{world.school_a.pk}/site-map/import", {"file": upload})
    assert page.status_code == 400 and "nested more than 32 levels" in page.content.decode()


@pytest.mark.parametrize("depth", DEPTHS)
def test_25_10_deeply_nested_json_to_the_public_tip_endpoint_is_400(world, depth):
    cache.clear()  # the tip line's rate limit counts in the cache
    body = f'{{"category": "other", "school": {world.school_a.pk}, "what": {nested(depth)}}}'
    assert "nested" in refused(Client().post("/api/v1/tips", body, content_type="application/json"))


def test_25_10_nan_and_infinity_are_not_json_numbers(teacher_a, world):
    api = token_client(teacher_a)
    body = f'{{"school": {world.school_a.pk}, "action": "hold", "location": {{"lat": NaN, "lon": Infinity}}}}'
    assert "not a JSON number" in refused(api.post("/api/v1/alerts", body, content_type="application/json"))


@pytest.mark.parametrize(("url", "param"), [
    ("/api/v1/schools", "page"),
    ("/api/v1/schools", "district"),
    ("/api/v1/schools", "agency"),
    ("/api/v1/alerts", "page"),
    ("/api/v1/alerts", "page_size"),
    ("/api/v1/alerts", "school"),
])
def test_25_10_out_of_range_integers_in_paging_and_filters_are_400(dispatcher, url, param):
    api = token_client(dispatcher)
    for value in [str(BIG), str(-BIG), "9" * 5000]:
        detail = refused(api.get(url, {param: value}))
        assert detail.startswith(f"{param}: a number out of range"), detail
    # The largest accepted page is simply empty, not an error.
    assert api.get(url, {"page": str(2**53 - 1)}).status_code in (200, 404)


def test_25_10_out_of_range_receipt_ids_are_400(teacher_a):
    api = token_client(teacher_a)
    detail = refused(api.post("/api/v1/events/receipts", json.dumps({"ids": [1, BIG]}), content_type="application/json"))
    assert detail.startswith("ids.1: a number out of range")
    ok = api.post("/api/v1/events/receipts", json.dumps({"ids": [2**53 - 1]}), content_type="application/json")
    assert ok.status_code == 200 and ok.json() == {"received": []}


def test_25_10_out_of_range_ids_in_paths_are_404(dispatcher, analyst_a):
    api = token_client(dispatcher)
    assert refused(api.get(f"/api/v1/alerts/{BIG}"), 404)
    assert refused(api.get(f"/api/v1/schools/{BIG}"), 404)
    assert refused(token_client(analyst_a).get(f"/api/v1/tips/{BIG}"), 404)
