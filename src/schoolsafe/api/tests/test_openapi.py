"""The OpenAPI document as third-party tools read it: every
`$ref` resolves (prance), each schema name means one shape, one key per status code, and a client that
openapi-python-client generates from the document raises an alert against the running server."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import textwrap

import pytest
from django.test import Client
from prance import ResolvingParser

from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.tests.conftest import ALERTS_URL, Api, lockdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_26_5_every_ref_of_the_openapi_document_resolves(document):
    refs = set(re.findall(r'"\$ref":\s*"([^"]+)"', json.dumps(document)))
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs), sorted(refs)
    # A third-party resolver follows every reference (it raises on one that points nowhere).
    resolved = ResolvingParser(spec_string=json.dumps(document), backend="openapi-spec-validator", strict=False)
    body = resolved.specification["paths"]["/api/v1/alerts"]["post"]["requestBody"]["content"]["application/json"]
    assert set(body["schema"]["properties"]["action"]["enum"]) >= {"lockdown", "hold", "secure", "evacuate", "shelter"}
    room = resolved.specification["paths"]["/api/v1/alerts/{alert_id}/room-status"]["post"]["requestBody"]
    status = room["content"]["application/json"]["schema"]["properties"]["status"]
    assert "enum" in json.dumps(status), status  # the RoomState enum, reached through its reference


def test_26_5_each_status_code_appears_once_per_operation(document):
    # A JSON object cannot hold 200 and "200" apart: /api/v1/docs showed "duplicated mapping key".
    raw = Client().get("/api/v1/openapi.json").content.decode()
    stream = json.loads(raw, object_pairs_hook=lambda pairs: _no_duplicates(pairs))
    responses = stream["paths"]["/api/v1/events"]["get"]["responses"]
    assert "text/event-stream" in responses["200"]["content"]


def _no_duplicates(pairs: list) -> dict:
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), f"duplicated keys {keys}"
    return dict(pairs)


def test_25_12_threat_notes_and_tip_notes_have_distinct_schemas(document):
    schemas = document["components"]["schemas"]
    operation = document["paths"]["/api/v1/threats/cases/{case_id}/notes/{note_id}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    case_note = schemas[ref.rsplit("/", 1)[1]]
    assert {"clinical", "text", "written_at"} <= set(case_note["properties"])
    tip = schemas[document["paths"]["/api/v1/tips/{tip_id}"]["get"]["responses"]["200"]["content"]
                  ["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    tip_note = schemas[tip["properties"]["notes"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"author", "body", "at"} == set(tip_note["properties"])
    assert tip_note is not case_note and "clinical" not in tip_note["properties"]


def test_26_14_location_given_as_a_string_is_refused_naming_the_field(world, teacher_a):
    response = Api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, location="room 212"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("location:")
    assert "must be an object" in response.json()["detail"]
    assert not Alert.objects.exists()
    for bad in (212, ["room 212"], True):
        assert Api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, location=bad)).status_code == 422
    assert Api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, location=None)).status_code == 201


# Run the generator with every connection off this machine refused: generating must not need a network.
GENERATE = textwrap.dedent("""
    import ipaddress, socket, sys
    _connect = socket.socket.connect
    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
            raise OSError(f"network access attempted during generation: {address}")
        return _connect(self, address)
    socket.socket.connect = connect
    from openapi_python_client.cli import app
    sys.argv = ["openapi-python-client", *sys.argv[1:]]
    app()
""")


@pytest.mark.django_db(transaction=True)
def test_26_5_a_client_generated_by_openapi_python_client_raises_an_alert(app_server, tmp_path, world, teacher_a,
                                                                          monkeypatch):
    from schoolsafe.accounts.actions import do_create_api_token

    spec = tmp_path / "openapi.json"
    spec.write_text(Client().get("/api/v1/openapi.json").content.decode())
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\npackage_name_override: schoolsafe_client\n")
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", GENERATE, "generate", "--path", str(spec), "--meta", "none",
         "--output-path", str(tmp_path / "schoolsafe_client"), "--config", str(config)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "network access attempted" not in result.stdout + result.stderr
    # The generator skips an endpoint whose schema it cannot read; raising and room status must be there.
    assert "POST /api/v1/alerts " not in result.stdout and "/room-status" not in result.stdout, result.stdout

    generated = tmp_path / "schoolsafe_client"
    assert (generated / "api" / "alerts" / "schoolsafe_alerts_api_raise_alert.py").exists(), sorted(
        str(p.relative_to(generated)) for p in generated.rglob("*.py"))[:200]
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    client_module = importlib.import_module("schoolsafe_client.client")
    raise_alert = importlib.import_module("schoolsafe_client.api.alerts.schoolsafe_alerts_api_raise_alert")
    models = importlib.import_module("schoolsafe_client.models")
    _token, raw = do_create_api_token("tests", teacher_a, "generated client")
    client = client_module.AuthenticatedClient(base_url=app_server.url, token=raw)
    body = models.SchoolsafeAlertsApiRaiseAlertAlertIn(
        school=world.school_a.pk, action=models.Action.LOCKDOWN, exercise=True,
        location=models.LocationIn(building="C", room="C-12"),
    )
    response = raise_alert.sync_detailed(client=client, body=body)
    assert response.status_code == 201, response.content
    assert isinstance(response.parsed, models.RaisedOut)  # the incident, with "merged" and the report
    assert response.parsed.action == "lockdown" and response.parsed.location.room == "C-12"
    assert response.parsed.merged is False and response.parsed.report.action == "lockdown"
    alert = Alert.objects.get()
    assert (alert.action, alert.school_id, alert.exercise, alert.raised_by_id) == ("lockdown", world.school_a.pk, True,
                                                                                  teacher_a.pk)
