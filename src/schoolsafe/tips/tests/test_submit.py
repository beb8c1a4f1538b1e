"""Sending a tip on the web form: what the tipster sees, what is stored, and what is refused."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from schoolsafe.audit.models import AuditEntry
from schoolsafe.tips.attachments import MAX_BYTES, media_dir
from schoolsafe.tips.credentials import check_passphrase
from schoolsafe.tips.models import Tip, TipAttachment
from schoolsafe.tips.tests.conftest import jpeg_with_gps, tiny_pdf

URL = "/public/en/report/"


def form(world, **overrides):
    data = {"category": "weapon", "school": world.school_a.pk, "what": "He showed a gun in the bathroom.",
            "when_text": "tomorrow after school", "where_text": "", "who_text": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_files() -> list[str]:
    return sorted(os.listdir(media_dir()))


def test_a_tip_with_a_photo_is_stored_and_the_tipster_gets_a_code_and_passphrase_once(world):
    client = Client()
    photo = SimpleUploadedFile("IMG_2041 from Johns phone.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(URL, {**form(world), "attachments": [photo]})
    assert response.status_code == 201
    tip = Tip.objects.get()
    page = response.content.decode()
    assert tip.code in page
    passphrase = page.split('id="tip-passphrase">')[1].split("<")[0]
    assert check_passphrase(passphrase, tip.passphrase_hash)
    assert passphrase not in tip.passphrase_hash and tip.passphrase_hash.startswith("argon2$")
    assert response["Cache-Control"] == "no-store"
    # No cookie of any kind for the tipster.
    assert not response.cookies and not client.cookies
    assert tip.urgent and {r["rule"] for r in tip.urgency_reasons} >= {"life_safety_category", "time_soon"}
    assert tip.district_id == world.district_a.pk and tip.source == "web" and tip.language == "en"
    attachment = TipAttachment.objects.get()
    assert attachment.kind == "image" and attachment.content_type == "image/jpeg"
    # Stored under a random name; the original file name (which names someone) is kept nowhere.
    assert "Johns" not in attachment.stored_name and stored_files() == [attachment.stored_name]
    with Image.open(media_dir() / attachment.stored_name) as stored:
        assert not stored.getexif() and "exif" not in stored.info
    assert AuditEntry.objects.filter(action="tips.submit_tip", actor_name="tipster", object_id=str(tip.pk)).exists()


def test_the_second_view_of_the_form_does_not_show_the_passphrase_again(world):
    client = Client()
    response = client.post(URL, form(world))
    passphrase = response.content.decode().split('id="tip-passphrase">')[1].split("<")[0]
    assert passphrase not in client.get(URL).content.decode()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"category": None}, "category", "Choose what the tip is about."),
    ({"category": "gossip"}, "category", "Choose one of the listed kinds of tip."),
    ({"school": 999999}, "school", "We do not know this school"),
    ({"school": "Lincoln High"}, "school", "Choose a school from the list."),
    ({"what": "   "}, "what", "Tell us what is happening."),
    ({"what": "x" * 5001}, "what", "under 5000 characters"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world, overrides, field, message):
    response = Client().post(URL, form(world, **overrides))
    assert response.status_code == 422
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert Tip.objects.count() == 0 and AuditEntry.objects.filter(action="tips.submit_tip").count() == 0


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("holiday.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "is not a photo or a PDF"),
    ("photo.jpg", b"<!doctype html><script>alert(1)</script>", "is not a photo or a PDF"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, "could not be read as a picture"),
    ("report.pdf", b"%PDF-1.4 but then it just stops", "is not a complete PDF file"),
    ("scan.pdf", b"%PDF-1.4\n" + b"garbage " * 40 + b"\n%%EOF\n", "could not be read as a PDF file"),
])
def test_a_disguised_or_broken_attachment_is_refused_naming_it(world, name, content, reason):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = Client().post(URL, {**form(world), "attachments": [upload]})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'href="#id_attachments"' in page and f"{name} {reason}" in page
    assert Tip.objects.count() == 0 and TipAttachment.objects.count() == 0 and stored_files() == []


def test_an_attachment_over_10_mb_is_refused_with_413(world):
    big = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES)
    big.name = "huge.jpg"
    response = Client().post(URL, {**form(world), "attachments": [big]})
    assert response.status_code == 413
    assert "huge.jpg is larger than 10 MB" in response.content.decode()
    assert Tip.objects.count() == 0 and stored_files() == []


def test_a_pdf_and_a_png_are_accepted(world):
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    files = [SimpleUploadedFile("a.png", buf.getvalue()), SimpleUploadedFile("b.pdf", tiny_pdf())]
    response = Client().post(URL, {**form(world), "attachments": files})
    assert response.status_code == 201
    assert sorted(TipAttachment.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    pdf = TipAttachment.objects.get(kind="pdf")
    stored = (media_dir() / pdf.stored_name).read_bytes()
    # The author's name is gone from the stored PDF, and it is still a PDF with its page.
    assert b"Tipster" not in stored
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1 and "/Author" not in (reader.metadata or {})


def test_a_password_protected_pdf_is_refused_naming_it(world):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    response = Client().post(URL, {**form(world), "attachments": [SimpleUploadedFile("locked.pdf", out.getvalue())]})
    assert response.status_code == 422 and "locked.pdf is protected by a password" in response.content.decode()
    assert Tip.objects.count() == 0


def test_more_than_ten_tips_from_one_client_in_ten_minutes_get_429(world):
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [client.post(URL, form(world)).status_code for _ in range(11)]
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
    response = client.post(URL, form(world))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many tips" in response.content.decode()
    # Another client is not affected.
    assert Client(REMOTE_ADDR="198.51.100.8").post(URL, form(world)).status_code == 201
    assert Tip.objects.count() == 11


def test_a_post_from_another_site_is_refused(world):
    response = Client().post(URL, form(world), HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403 and Tip.objects.count() == 0
    same = Client().post(URL, form(world), HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert same.status_code == 201


def test_the_form_lists_the_schools_and_says_what_is_kept(world):
    response = Client().get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "School A High" in page and "School B High" in page
    assert "We do not keep" in page and "IP address" in page
    assert not response.cookies


def test_a_school_removed_after_a_tip_about_it_is_unknown_at_once(world):
    assert Client().post(URL, form(world, school=world.school_a2.pk)).status_code == 201
    gone = world.school_a2.pk
    world.school_a2.delete()
    response = Client().post(URL, form(world, school=gone))
    assert response.status_code == 422 and "We do not know this school" in response.content.decode()
