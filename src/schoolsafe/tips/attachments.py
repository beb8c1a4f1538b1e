"""Tip attachments: photos and PDFs, checked by what they contain, never by their name.

An image is decoded and re-encoded from its pixels alone, which drops EXIF (GPS position, phone
model, time), XMP, comments and anything appended after the image. Files are stored under a random
name; the original name is not kept (it can name a person or a phone). A PDF is rebuilt from its
pages, without its document information (Author...), XMP metadata, comments and scripts, and every
picture in it is re-encoded from its pixels like a photo (no EXIF, no XMP).
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from schoolsafe.core.lowpriority import Busy, LowPriorityPool

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# Larger photos are scaled down: an analyst needs to see them, not print them, and a 50-megapixel
# decode would hold hundreds of megabytes.
MAX_SIDE = 4096
# Read from the file's header, before any pixel is decoded. Phone cameras save 12 to 24 megapixels (48-
# and 50-megapixel sensors save 12 by default); 30 takes them all. At 60, a 58 KB PNG of zeros took
# about 2 s of a request thread to decode.
MAX_PIXELS = 30_000_000
# A decompression bomb: far more pixels than its bytes can describe. A photo holds a few pixels per byte
# (JPEG) and a flat screenshot a few dozen; a PNG of zeros about a thousand. Checked above 4 megapixels.
BOMB_PIXELS_PER_BYTE = 250
BOMB_CHECK_FROM = 4_000_000
# Pictures are decoded in a small pool at low CPU priority (core/lowpriority.py): each takes a core and up
# to a few hundred megabytes, and the machine's cores are also the alert path's. A tip that cannot start
# within CLEANING_WAIT seconds is answered 503 (SCHOOLSAFE_ATTACHMENT_CLEANERS threads per process).
CLEANING = LowPriorityPool(settings.SCHOOLSAFE_ATTACHMENT_CLEANERS, "attachment-clean")
CLEANING_WAIT = 60.0

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"%PDF-", 0, "pdf"),
]


class AttachmentError(Exception):
    """An attachment we refuse; `status` is the HTTP status to answer with (413 too large, else 422)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CleanFile:
    """An attachment ready to store: content as it will be written, and what it is."""

    content: bytes
    kind: str
    content_type: str
    extension: str


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce (jpeg, png, gif, webp, pdf), or None."""
    for magic, offset, name in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic and (name != "webp" or head[:4] == b"RIFF"):
            return name
    return None


def _display_name(upload: Any) -> str:
    name = os.path.basename(str(getattr(upload, "name", "") or "file"))
    return name[:80]


def check_dimensions(image: Any, size: int, name: str) -> None:
    """Refuse, from the header alone, a picture too large to decode or one that is mostly compression."""
    pixels = image.width * image.height
    if pixels > MAX_PIXELS:
        raise AttachmentError(
            _("%(name)s: the picture is too large (%(megapixels)d megapixels; at most %(limit)d)")
            % {"name": name, "megapixels": round(pixels / 1_000_000), "limit": MAX_PIXELS // 1_000_000}, 413)
    if pixels > BOMB_CHECK_FROM and pixels > BOMB_PIXELS_PER_BYTE * size:
        raise AttachmentError(
            _("%(name)s: the picture is mostly empty and too large to process") % {"name": name}, 413)


def _clean_image(data: bytes, name: str, fmt: str) -> CleanFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads the header only: the size is known before a pixel is decoded.
            with Image.open(io.BytesIO(data)) as probe:
                check_dimensions(probe, len(data), name)
                probe.verify()
            image = Image.open(io.BytesIO(data))
            check_dimensions(image, len(data), name)
            return CLEANING.run(_reencode, image, fmt, wait=CLEANING_WAIT)
    except AttachmentError:
        raise
    except Busy:
        raise AttachmentError(
            _("%(name)s: the tip line is very busy; please try again in a few minutes") % {"name": name}, 503) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise AttachmentError(_("%(name)s could not be read as a picture") % {"name": name}) from None


def _reencode(image: Any, fmt: str) -> CleanFile:
    image.load()
    # Turn the picture upright as the phone meant it, before its EXIF (with the orientation) goes.
    image = ImageOps.exif_transpose(image) or image
    if image.width > MAX_SIDE or image.height > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    keep_alpha = image.mode in ("RGBA", "LA", "P") and fmt in ("png", "gif", "webp")
    mode = "RGBA" if keep_alpha else "RGB"
    # A new image from the pixels alone: no info dict, no EXIF/XMP/ICC/comments carried over.
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if keep_alpha:
        clean.save(out, "PNG", optimize=False)
        return CleanFile(out.getvalue(), "image", "image/png", "png")
    clean.save(out, "JPEG", quality=88)
    return CleanFile(out.getvalue(), "image", "image/jpeg", "jpg")


# Page entries that can name a person or run code: XMP metadata, application data, comments (each
# carries its author's name), actions run on opening, the thumbnail (a second copy of the page's pictures).
PDF_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/Annots", "/AA", "/Thumb")


def _drop_xobject_metadata(resources: Any, seen: set[int]) -> None:
    """Remove the XMP of every picture and form on a page (and in forms within forms), before the page is
    copied: a stream left behind would still be written."""
    if resources is None:
        return
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        if id(xobject) in seen:
            continue
        seen.add(id(xobject))
        for key in ("/Metadata", "/PieceInfo"):
            if key in xobject:
                del xobject[key]
        if xobject.get("/Subtype") == "/Form":
            _drop_xobject_metadata(xobject.get("/Resources"), seen)


def _clean_pdf_images(writer: PdfWriter, name: str) -> None:
    """Re-encode every picture of every page from its pixels alone, as for a photo sent on its own.

    A phone photo made into a PDF keeps the JPEG as it was, EXIF and all (GPS position, phone model, the
    owner's name as Artist): a JPEG inside a PDF is the whole file. Each picture's own XMP goes too."""
    for page in writer.pages:
        for picture in page.images:
            stream = picture.indirect_reference.get_object() if picture.indirect_reference else None
            if stream is not None and not isinstance(stream, DictionaryObject):
                # An image XObject is a stream (a dictionary and its data); anything else is a damaged file,
                # refused as one by _clean_pdf.
                raise ValueError("an image that is not a stream")
            if stream is not None and int(stream.get("/Width", 0)) * int(stream.get("/Height", 0)) > MAX_PIXELS:
                raise AttachmentError(_("%(name)s: a picture in it is too large to process") % {"name": name}, 413)
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = picture.image
            if image is None:
                continue
            mode = "L" if image.mode in ("1", "L", "LA") else "RGB"
            pixels = image.convert(mode)
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels)
            picture.replace(clean, quality=88)


def _clean_pdf(data: bytes, name: str) -> CleanFile:
    """Rebuild the PDF from its pages alone: the document information (Author, Creator, often a person's
    name), XMP metadata, comments, attached files, scripts and open actions are left behind; the pictures
    are re-encoded without their EXIF."""
    # A real PDF ends with %%EOF near its end (incremental updates may add a few bytes after it).
    if b"%%EOF" not in data[-2048:]:
        raise AttachmentError(_("%(name)s is not a complete PDF file") % {"name": name})
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AttachmentError(_("%(name)s is protected by a password; please send it without one") % {"name": name})
        writer = PdfWriter()
        for page in reader.pages:
            for key in PDF_PAGE_KEYS_DROPPED:
                if key in page:
                    del page[key]
            _drop_xobject_metadata(page.get("/Resources"), set())
            writer.add_page(page)
        if not writer.pages:
            raise AttachmentError(_("%(name)s has no pages") % {"name": name})
        _clean_pdf_images(writer, name)
        out = io.BytesIO()
        writer.write(out)
    except AttachmentError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of error on a damaged or hostile file
        raise AttachmentError(_("%(name)s could not be read as a PDF file") % {"name": name}) from None
    return CleanFile(out.getvalue(), "pdf", "application/pdf", "pdf")


def check_attachment(upload: Any) -> CleanFile:
    """Validate one uploaded file by its content (AttachmentError naming it when refused)."""
    name = _display_name(upload)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB") % {"name": name}, 413)
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB") % {"name": name}, 413)
    if not data:
        raise AttachmentError(_("%(name)s is empty") % {"name": name})
    fmt = sniff(data[:16])
    if fmt is None:
        raise AttachmentError(
            _("%(name)s is not a photo or a PDF (only JPEG, PNG, GIF, WebP pictures and PDF files are accepted)")
            % {"name": name}
        )
    if fmt == "pdf":
        return _clean_pdf(data, name)
    return _clean_image(data, name, fmt)


def check_attachments(uploads: list[Any]) -> list[CleanFile]:
    if len(uploads) > MAX_FILES:
        raise AttachmentError(_("at most %(count)d files can be attached") % {"count": MAX_FILES})
    return [check_attachment(upload) for upload in uploads]


def media_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "tips"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_file(clean: CleanFile) -> str:
    """Store the content under a new random name (never overwriting) and return that name."""
    folder = media_dir()
    while True:
        stored_name = f"{secrets.token_hex(16)}.{clean.extension}"
        try:
            fd = os.open(folder / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(clean.content)
        return stored_name


def remove_files(names: list[str]) -> None:
    folder = media_dir()
    for name in names:
        (folder / name).unlink(missing_ok=True)


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a file once it passes 10 MB, so an oversized upload is refused without first
    being spooled whole to disk. Remembers which files it skipped for the error message."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > MAX_BYTES:
            skipped = getattr(self.request, "_tips_oversize", [])
            skipped.append(os.path.basename(self.file_name or "file")[:80])
            self.request._tips_oversize = skipped  # type: ignore[union-attr]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_upload_limit(request: Any) -> None:
    """Put the size guard in front of Django's upload handlers (before the body is read)."""
    request.upload_handlers.insert(0, LimitedUploadHandler(request))


def oversize_error(request: Any) -> AttachmentError | None:
    names = getattr(request, "_tips_oversize", [])
    if not names:
        return None
    return AttachmentError(_("%(name)s is larger than 10 MB") % {"name": names[0]}, 413)
