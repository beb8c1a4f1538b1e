"""The API's contract with a caller who holds no credentials: every operation of the OpenAPI document the
server serves answers 401, except the few that are public by design (listed below, each with its reason).

The operations are read from the document itself, so an operation added by any app is checked without
being named here; the path parameters are filled with values of the declared type, which is enough: the
server must refuse before it looks anything up.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Public by design, and why. Keep this short: anything else answers 401 to a caller without credentials.
PUBLIC = {
    # Load balancers and monitoring probe it (api/health.py: "ok", the database engine and the version).
    ("get", "/api/v1/health"),
    # An anonymous tip: the tipster has no account, by design (docs/tips.md).
    ("post", "/api/v1/tips"),
    # The tipster's follow-up, with the code and passphrase the submission gave them (docs/tips.md).
    ("post", "/api/v1/tips/lookup"),
    # The school picker of the anonymous tip form: names and districts, already public.
    ("get", "/api/v1/public/schools"),
}

# Not public, but judged by a credential of their own rather than the API's token or session, so the document
# declares no `security` for them; they answer 401 without it like every other operation.
OWN_CREDENTIAL = {
    # `Authorization: Panic <secret>`, a wall button's or a phone shortcut's credential (alerts/panic_api.py).
    ("post", "/api/v1/alerts/panic"),
}


@pytest.fixture
def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def plausible(parameter: dict[str, Any]) -> str:
    """A value of the parameter's declared type (an id that need not exist)."""
    schema = parameter.get("schema", {})
    if schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    return "1" if schema.get("type") in ("integer", "number") else "x1"


def fill(path: str, operation: dict[str, Any]) -> str:
    values = {p["name"]: plausible(p) for p in operation.get("parameters", []) if p.get("in") == "path"}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "1"), path)


def test_the_document_has_operations_of_every_app_and_the_public_list_names_only_real_ones(document):
    found = {(method, path) for method, path, _ in operations(document)}
    assert len(found) >= 50, len(found)
    assert found >= PUBLIC, sorted(PUBLIC - found)
    # The document says the same: an operation without `security` is one a caller may call without credentials.
    undocumented = {(method, path) for method, path, operation in operations(document) if not operation.get("security")}
    assert undocumented == PUBLIC | OWN_CREDENTIAL


def test_every_operation_answers_401_without_credentials_unless_public_by_design(document):
    wrong = []
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            continue
        # A client that carries nothing: no session cookie, no Authorization header, no CSRF token.
        client = Client(enforce_csrf_checks=True)
        url = fill(path, operation)
        if method in ("get", "head", "options", "delete"):
            response = client.generic(method.upper(), url)
        else:
            response = client.generic(method.upper(), url, json.dumps({}), content_type="application/json")
        if response.status_code != 401:
            wrong.append(f"{method.upper()} {path} -> {response.status_code} {response.content[:120]!r}")
        elif (method, path) not in OWN_CREDENTIAL:
            assert response.json() == {"detail": "authentication required"}, (method, path, response.content)
    assert wrong == [], "\n".join(wrong)


def test_a_wrong_bearer_token_is_401_too(document):
    """Credentials that do not hold are no credentials (and no fall back to anything else)."""
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC or method != "get":
            continue
        response = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get(fill(path, operation))
        assert response.status_code == 401, (path, response.status_code)
