"""The tips API: anonymous submission and follow-up, and the analysts' endpoints (anonymous, without
permission, with permission)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.personas import client_for
from schoolsafe.tips.models import Tip, TipAttachment, TipMessage
from schoolsafe.tips.tests.conftest import jpeg_with_gps
from schoolsafe.tips.tests.factories import PASSPHRASE, TipFactory


def post_json(client, url, data, **extra):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **extra)


def tip_json(world, **overrides):
    data = {"category": "drugs", "school": world.school_a.pk, "what": "Pills sold behind the gym."}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_json_tip_is_stored_and_answers_the_code_and_passphrase(world):
    response = post_json(Client(), "/api/v1/tips", tip_json(world, language="es"))
    assert response.status_code == 201, response.content
    body = response.json()
    tip = Tip.objects.get(code=body["code"])
    assert tip.source == "api" and tip.language == "es" and body["status"] == "new"
    assert set(body) == {"code", "passphrase", "status", "received_at"}
    assert not response.cookies


@pytest.mark.parametrize(("data", "status", "detail"), [
    (b'{"category": "drugs", "school": ', 400, "body: malformed JSON"),
    (b"[1, 2]", 400, "body: expected a JSON object"),
    ({"school": 1, "what": "x"}, 422, "category: Choose what the tip is about."),
    ({"category": "drugs", "school": 987654, "what": "x"}, 422, "school: We do not know this school"),
    ({"category": "drugs", "what": "x"}, 422, "school: Choose the school."),
    ({"category": "drugs", "school": 1, "what": ""}, 422, "what: Tell us what is happening."),
    ({"category": "drugs", "school": 1, "what": "x", "ip": "1.2.3.4"}, 422, "ip: unknown field"),
    ({"category": "drugs", "school": 1, "what": ["x"]}, 422, "what: must be a string"),
    ({"category": "drugs", "school": 1, "what": "x", "language": "fr"}, 422, "language: must be one of"),
])
def test_bad_input_gets_a_4xx_naming_the_field_and_stores_nothing(world, data, status, detail):
    if isinstance(data, dict) and data.get("school") == 1:
        data["school"] = world.school_a.pk
    response = post_json(Client(), "/api/v1/tips", data)
    assert response.status_code == status, response.content
    assert response.json()["detail"].startswith(detail)
    assert Tip.objects.count() == 0 and AuditEntry.objects.filter(action="tips.submit_tip").count() == 0


def test_a_form_encoded_body_is_refused_with_415(world):
    response = Client().post("/api/v1/tips", {"category": "drugs"})
    # The test client sends multipart by default, which the API accepts; plain text is refused.
    assert response.status_code == 422
    response = Client().post("/api/v1/tips", "category=drugs", content_type="text/plain")
    assert response.status_code == 415 and response.json()["detail"].startswith("body:")


def test_multipart_with_a_photo_and_with_a_disguised_file(world):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps())
    ok = Client().post("/api/v1/tips", {**tip_json(world), "attachments": [photo]})
    assert ok.status_code == 201 and TipAttachment.objects.count() == 1
    fake = SimpleUploadedFile("cat.jpg", b"<html><body>not a cat</body></html>")
    bad = Client().post("/api/v1/tips", {**tip_json(world), "attachments": [fake]})
    assert bad.status_code == 422
    assert bad.json()["detail"] == ("attachments: cat.jpg is not a photo or a PDF "
                                    "(only JPEG, PNG, GIF, WebP pictures and PDF files are accepted)")
    assert Tip.objects.count() == 1 and TipAttachment.objects.count() == 1


def test_submission_is_rate_limited_per_client(world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [post_json(client, "/api/v1/tips", tip_json(world)).status_code for _ in range(12)]
    assert statuses == [201] * 10 + [429, 429]
    limited = post_json(client, "/api/v1/tips", tip_json(world))
    assert limited.json()["detail"].startswith("tips: too many requests") and limited["Retry-After"]


def test_the_tipster_looks_up_the_tip_and_adds_a_message(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    TipMessage.objects.create(tip=tip, from_tipster=False, author=analyst_a, body="Which locker room?")
    response = post_json(Client(), "/api/v1/tips/lookup", {"code": tip.code.lower(), "passphrase": PASSPHRASE.upper()})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "new" and body["closed"] is False
    assert [(m["from_tipster"], m["body"]) for m in body["messages"]] == [(False, "Which locker room?")]
    # Nothing internal: no author, no notes, no flag, no urgency.
    assert not {"possibly_malicious", "notes", "urgent", "outcome"} & set(body)
    assert "analyst" not in response.content.decode()
    answer = post_json(Client(), "/api/v1/tips/lookup", {"code": tip.code, "passphrase": PASSPHRASE,
                                                         "message": "The boys' one by the gym."})
    assert [m["body"] for m in answer.json()["messages"]] == ["Which locker room?", "The boys' one by the gym."]


def test_25_14_wrong_passphrases_from_others_never_lock_the_tipster_out(world):
    """Whoever knows a tip code can send wrong passphrases for it; past five (from any clients), a wrong one
    gets 429, but the tipster's right passphrase still opens the follow-up, on the API and on the page."""
    tip = TipFactory(school=world.school_a)
    for n in range(5):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")  # a different client each time: the code is what counts
        wrong = post_json(client, "/api/v1/tips/lookup", {"code": tip.code, "passphrase": "nope-nope-nope-nope"})
        assert wrong.status_code == 404
        assert wrong.json()["detail"] == "code or passphrase: no tip matches this code and passphrase"
    guess = post_json(Client(REMOTE_ADDR="192.0.2.98"), "/api/v1/tips/lookup",
                      {"code": tip.code, "passphrase": "nope-nope-nope-nopf"})
    assert guess.status_code == 429 and guess["Retry-After"]
    opened = post_json(Client(REMOTE_ADDR="192.0.2.99"), "/api/v1/tips/lookup",
                       {"code": tip.code, "passphrase": PASSPHRASE})
    assert opened.status_code == 200 and opened.json()["code"] == tip.code
    page = Client(REMOTE_ADDR="192.0.2.99").post("/public/en/follow-up/", {"code": tip.code, "passphrase": PASSPHRASE})
    assert page.status_code == 200 and 'id="tip-status"' in page.content.decode()


def test_25_14_wrong_passphrases_are_throttled_per_client(world):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(10):
        assert post_json(client, "/api/v1/tips/lookup", {"code": f"ZZZZ-{n:04d}", "passphrase": "x"}).status_code == 404
    assert post_json(client, "/api/v1/tips/lookup", {"code": "ZZZZ-9999", "passphrase": "x"}).status_code == 429


def test_a_closed_tip_takes_no_more_messages(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    client_for(analyst_a).post(f"/tips/{tip.pk}/close/", {"outcome": "counselling"})
    response = post_json(Client(), "/api/v1/tips/lookup", {"code": tip.code, "passphrase": PASSPHRASE, "message": "hi"})
    assert response.status_code == 409 and response.json()["detail"].startswith("message:")


def test_public_school_search(world):
    response = Client().get("/api/v1/public/schools", {"q": "A High"})
    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["School A High"]


# --- staff endpoints ---


def test_staff_endpoints_need_authentication(world):
    tip = TipFactory(school=world.school_a)
    assert Client().get("/api/v1/tips").status_code == 401
    assert Client().get(f"/api/v1/tips/{tip.pk}").status_code == 401
    assert post_json(Client(), f"/api/v1/tips/{tip.pk}/claim", {}).status_code == 401


def test_staff_without_permission_get_404_or_an_empty_list(world, teacher_a, analyst_b, principal_a):
    tip = TipFactory(school=world.school_a)
    for user in (teacher_a, analyst_b, principal_a):
        client = client_for(user)
        assert client.get("/api/v1/tips").json() == []
        assert client.get(f"/api/v1/tips/{tip.pk}").status_code == 404
        assert post_json(client, f"/api/v1/tips/{tip.pk}/claim", {}).status_code == 404


def test_an_analyst_triages_through_the_api(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    client = client_for(analyst_a)
    assert [t["code"] for t in client.get("/api/v1/tips").json()] == [tip.code]
    detail = client.get(f"/api/v1/tips/{tip.pk}")
    assert detail.status_code == 200 and detail.json()["what"] == tip.what
    assert AuditEntry.objects.filter(action="tips.read_tip", object_id=str(tip.pk), actor=analyst_a).exists()
    assert post_json(client, f"/api/v1/tips/{tip.pk}/claim", {}).json()["claimed_by"] == "analyst_a"
    assert post_json(client, f"/api/v1/tips/{tip.pk}/messages", {"body": "When?"}).status_code == 201
    assert post_json(client, f"/api/v1/tips/{tip.pk}/notes", {"body": "Known pattern"}).json()["notes"][0]["body"] == \
        "Known pattern"
    assert post_json(client, f"/api/v1/tips/{tip.pk}/routes", {"destination": "police"}).status_code == 201
    bad = post_json(client, f"/api/v1/tips/{tip.pk}/close", {"outcome": "whatever"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("outcome:")
    closed = post_json(client, f"/api/v1/tips/{tip.pk}/close", {"outcome": "parent_contact"})
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "parent_contact"
    again = post_json(client, f"/api/v1/tips/{tip.pk}/close", {"outcome": "parent_contact"})
    assert again.status_code == 409


def test_the_openapi_document_describes_the_tip_endpoints(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "multipart/form-data" in paths["/api/v1/tips"]["post"]["requestBody"]["content"]
    assert "/api/v1/tips/lookup" in paths
