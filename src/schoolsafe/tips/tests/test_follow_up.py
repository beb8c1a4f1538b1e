"""The tipster's follow-up page: status, the thread, answering, and what is never shown."""

from __future__ import annotations

import time

from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolsafe.testing.personas import client_for
from schoolsafe.tips.models import TipAttachment, TipMessage, TipNote
from schoolsafe.tips.public_views import FOLLOW_UP_SALT
from schoolsafe.tips.tests.conftest import jpeg_with_gps
from schoolsafe.tips.tests.factories import PASSPHRASE, TipFactory

URL = "/public/en/follow-up/"


def token_in(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


def test_the_tipster_sees_the_question_answers_it_and_sees_nothing_internal(world, analyst_a):
    tip = TipFactory(school=world.school_a, possibly_malicious=True, urgency_reasons=[{"rule": "x", "reason": "Secret"}])
    TipMessage.objects.create(tip=tip, from_tipster=False, author=analyst_a, body="Which bus?")
    TipNote.objects.create(tip=tip, author=analyst_a, body="INTERNAL: cousin of the suspect")
    client = Client()
    response = client.post(URL, {"code": tip.code, "passphrase": PASSPHRASE})
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "Which bus?" in page and "The tip line has asked you something" in page
    for hidden in ("INTERNAL", "malicious", "Secret", "analyst_a", "Analyst A"):
        assert hidden not in page
    answer = client.post(URL, {"token": token_in(page), "body": "Bus 14.",
                               "attachments": [SimpleUploadedFile("bus.jpg", jpeg_with_gps())]})
    assert answer.status_code == 200 and "Your message was sent" in answer.content.decode()
    assert list(tip.messages.values_list("from_tipster", "body")) == [(False, "Which bus?"), (True, "Bus 14.")]
    assert TipAttachment.objects.get().message.body == "Bus 14."
    assert not client.cookies


def test_a_wrong_passphrase_says_so_without_saying_which_part_is_wrong(world):
    tip = TipFactory(school=world.school_a)
    wrong = Client().post(URL, {"code": tip.code, "passphrase": "aaaa-bbbb-cccc-dddd"})
    unknown = Client().post(URL, {"code": "QQQQ-QQQQ", "passphrase": PASSPHRASE})
    assert wrong.status_code == unknown.status_code == 404
    assert "No tip matches this code and passphrase" in wrong.content.decode()
    assert "No tip matches this code and passphrase" in unknown.content.decode()


def test_missing_fields_are_named(world):
    response = Client().post(URL, {"code": "", "passphrase": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter your tip code." in page and "Enter your passphrase." in page


def test_an_expired_or_forged_token_does_not_add_a_message(world, settings):
    tip = TipFactory(school=world.school_a)
    forged = Client().post(URL, {"token": "abc:def", "body": "hello"})
    assert forged.status_code == 403 and tip.messages.count() == 0
    old = signing.dumps({"tip": tip.pk}, salt=FOLLOW_UP_SALT)
    original = time.time
    try:
        time.time = lambda: original() + 31 * 60
        expired = Client().post(URL, {"token": old, "body": "hello"})
    finally:
        time.time = original
    assert expired.status_code == 403 and "expired" in expired.content.decode() and tip.messages.count() == 0


def test_a_closed_tip_shows_closed_and_no_answer_form(world, analyst_a):
    tip = TipFactory(school=world.school_a)
    client_for(analyst_a).post(f"/tips/{tip.pk}/close/", {"outcome": "discipline", "note": "3 days suspension"})
    page = Client().post(URL, {"code": tip.code, "passphrase": PASSPHRASE}).content.decode()
    assert 'id="tip-status"' in page and ">Closed<" in page
    assert "3 days" not in page and "discipline" not in page.lower()
    assert 'name="token"' not in page


def test_the_page_works_in_spanish(world):
    tip = TipFactory(school=world.school_a)
    page = Client().post("/public/es/follow-up/", {"code": tip.code, "passphrase": PASSPHRASE}).content.decode()
    assert '<html lang="es">' in page and "Mensajes" in page
