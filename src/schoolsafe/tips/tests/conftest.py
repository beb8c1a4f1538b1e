"""Helpers for tip tests: a photo with GPS in EXIF and a PDF naming its author (the analysts are shared
personas, `schoolsafe.testing.personas`)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from PIL import Image


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


GPS_LATITUDE = (40.0, 26.0, 46.0)


def jpeg_with_gps(size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG whose EXIF says where it was taken and with which phone (what a tipster's photo carries)."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TipsterPhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (79.0, 58.0, 56.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def tiny_pdf(author: str = "Jane Q. Tipster") -> bytes:
    """A one-page PDF whose document information names its author (as a word processor writes it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Creator": f"Writer on {author}'s laptop"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
