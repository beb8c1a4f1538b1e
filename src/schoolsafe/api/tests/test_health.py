"""The API's health endpoint and its OpenAPI document."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_health_answers_without_signing_in_and_names_the_database_engine():
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == connection.vendor
    assert body["database"] in {"sqlite", "postgresql"}


def test_the_openapi_document_is_valid_openapi_3_1():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on an invalid document
    assert {"/api/v1/health", "/api/v1/schools", "/api/v1/schools/{school_id}"} <= set(spec["paths"])
    # The list documents its filters, so a client can find them without reading our code.
    params = {p["name"] for p in spec["paths"]["/api/v1/schools"]["get"]["parameters"]}
    assert {"district", "agency", "page"} <= params


def test_the_openapi_validator_does_catch_a_broken_document():
    # Guards the test above: the validator must reject what is not OpenAPI, or it proves nothing.
    spec = Client().get("/api/v1/openapi.json").json()
    del spec["info"]
    with pytest.raises(Exception, match="info"):
        validate(spec)


def test_an_unknown_api_path_is_a_json_404():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
