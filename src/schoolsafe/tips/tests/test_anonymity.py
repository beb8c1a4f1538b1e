"""Nothing identifies a tipster: no address, no user agent, no cookie; not in the database, not in the logs."""

from __future__ import annotations

import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolsafe.tips.logfilter import DropTipsterRequest
from schoolsafe.tips.models import Tip
from schoolsafe.tips.tests.conftest import jpeg_with_gps
from schoolsafe.tips.tests.factories import PASSPHRASE, TipFactory
from schoolsafe.tips.tests.scan import find_in_database

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (Linux; Android 14; Tipster-Phone-Model-QX9) Mobile"


def test_after_submitting_and_following_up_no_table_holds_the_address_or_user_agent(world, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)
    photo = SimpleUploadedFile("me.jpg", jpeg_with_gps())
    response = client.post("/public/en/report/", {"category": "weapon", "school": world.school_a.pk,
                                                  "what": "knife in a locker", "attachments": [photo]})
    assert response.status_code == 201
    tip = Tip.objects.get()
    page = client.post("/public/en/follow-up/", {"code": tip.code, "passphrase": "wrong"})
    assert page.status_code == 404
    client.post("/api/v1/tips", "{broken", content_type="application/json")
    client.get("/public/en/nowhere/")
    assert find_in_database([ADDRESS, AGENT, "Tipster-Phone"]) == []
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert ADDRESS not in logged and "Tipster-Phone" not in logged
    # Django did log the 4xx answers, by path only.
    assert "Not Found: /public/en/nowhere/" in logged
    assert not client.cookies


def test_the_log_filter_takes_the_request_off_records_about_tip_paths(rf):
    request = rf.get("/public/en/report/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (request.path,), None)
    record.request = request
    assert DropTipsterRequest().filter(record) and record.request is None
    staff = rf.get("/tips/1/")
    record.request = staff
    DropTipsterRequest().filter(record)
    assert record.request is staff  # staff pages keep their request for error reports


def test_the_passphrase_is_never_stored_in_clear(world):
    tip = TipFactory(school=world.school_a)
    assert find_in_database([PASSPHRASE]) == []
    assert tip.passphrase_hash.startswith("argon2$argon2id$")


def test_the_audit_row_of_a_tip_carries_no_request_id_a_proxy_could_have_logged(world, analyst_a):
    from schoolsafe.audit.models import AuditEntry
    from schoolsafe.testing.personas import client_for

    response = Client(HTTP_X_REQUEST_ID="proxy-req-0123456789").post(
        "/public/en/report/", {"category": "drugs", "school": world.school_a.pk, "what": "pills"})
    assert response.status_code == 201 and response["X-Request-ID"] == "proxy-req-0123456789"
    tip = Tip.objects.get()
    assert AuditEntry.objects.get(action="tips.submit_tip").request_id == ""
    assert find_in_database(["proxy-req-0123456789"]) == []
    # Staff actions keep theirs (they are not anonymous).
    client_for(analyst_a).post(f"/tips/{tip.pk}/claim/", HTTP_X_REQUEST_ID="staff-req-0123456789")
    assert AuditEntry.objects.get(action="tips.claim_tip").request_id == "staff-req-0123456789"
