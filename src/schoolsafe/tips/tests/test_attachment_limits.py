"""Picture attachments are bounded before decoding (pixel count from the header, a
decompression-bomb check) so that anonymous tips cannot hold the server's threads and memory."""

from __future__ import annotations

import io
import time

from django.test import Client
from PIL import Image

from schoolsafe.tips.models import Tip


def png_of_zeros(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG")
    return out.getvalue()


def post_tip(world, files: list[tuple[str, bytes]]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"category": "weapon", "school": world.school_a.pk, "what": "A photo of it.",
            "attachments": [SimpleUploadedFile(name, content, content_type="image/png") for name, content in files]}
    return Client(REMOTE_ADDR="203.0.113.40").post("/api/v1/tips", data)


def test_25_1_the_attack_picture_is_refused_from_its_header_with_a_clear_413(world):
    bomb = png_of_zeros(7740, 7740)  # 60 megapixels in about 58 KB
    assert len(bomb) < 100_000
    Client().get("/api/v1/public/schools")  # the first request loads the URL map and the API: not timed
    started = time.perf_counter()
    response = post_tip(world, [("zeros.png", bomb)] * 5)
    took = time.perf_counter() - started
    assert response.status_code == 413
    assert response.json()["detail"] == "attachments: zeros.png: the picture is too large (60 megapixels; at most 30)"
    assert took < 1.5, f"refused in {took:.2f} s: it must not be decoded"
    assert not Tip.objects.exists()


def test_25_1_a_picture_under_the_cap_that_is_mostly_empty_is_refused_as_a_bomb(world):
    response = post_tip(world, [("blank.png", png_of_zeros(5000, 5000))])
    assert response.status_code == 413
    assert response.json()["detail"] == "attachments: blank.png: the picture is mostly empty and too large to process"


def test_25_1_a_phone_sized_picture_is_still_taken(world):
    """A 12-megapixel picture (what phone cameras save) with real content is cleaned and stored."""
    image = Image.effect_noise((4032, 3024), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    response = post_tip(world, [("IMG_0001.jpg", out.getvalue())])
    assert response.status_code == 201, response.content
    assert Tip.objects.get().attachments.count() == 1
