"""A phone photo made into a PDF and sent with a tip: the stored PDF keeps the picture and
nothing that names the tipster, their phone or where they stood."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject, StreamObject

from schoolsafe.tips.attachments import media_dir
from schoolsafe.tips.models import TipAttachment
from schoolsafe.tips.tests.test_submit import URL, form

pytestmark = pytest.mark.django_db

XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Jamie Tipster</rdf:li>'
       b'</rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with the maker, the model, the owner (Artist) and the position."""
    image = Image.new("RGB", (96, 64), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Pixelphone"
    exif[ExifTags.Base.Model] = "Pixelphone 9 Pro"
    exif[ExifTags.Base.Artist] = "Jamie Tipster"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (29.0, 39.0, 7.5),
                                  ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (82.0, 19.0, 30.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo_pdf(jpeg: bytes) -> bytes:
    """The photo made into a PDF as a phone's "save as PDF" does: the JPEG file embedded whole (DCTDecode),
    the owner as Author, XMP metadata in the catalogue and on the picture."""
    writer = PdfWriter()
    page = writer.add_blank_page(96, 64)
    xmp = StreamObject()
    xmp._data = XMP
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    xmp_ref = writer._add_object(xmp)
    picture = StreamObject()
    picture._data = jpeg
    picture.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(96), NameObject("/Height"): NumberObject(64),
        NameObject("/ColorSpace"): NameObject("/DeviceRGB"), NameObject("/BitsPerComponent"): NumberObject(8),
        NameObject("/Filter"): NameObject("/DCTDecode"), NameObject("/Metadata"): xmp_ref,
    })
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(picture)})})
    content = DecodedStreamObject()
    content.set_data(b"q 96 0 0 64 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    writer._root_object[NameObject("/Metadata")] = xmp_ref
    writer.add_metadata({"/Author": "Jamie Tipster", "/Creator": "Pixelphone Scanner"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_jpeg(picture) -> Image.Image:
    """The picture's JPEG file as stored in the PDF (DCTDecode: the file itself)."""
    stream = picture.indirect_reference.get_object()
    assert stream["/Filter"] == "/DCTDecode"
    return Image.open(io.BytesIO(stream._data))


def test_26_6_a_phone_photo_in_a_pdf_loses_its_exif_and_the_pdf_its_metadata(world):
    sent = photo_pdf(phone_photo())
    # What the tipster sends does carry it all (the test would prove nothing otherwise).
    assert b"Pixelphone 9 Pro" in sent and b"Jamie Tipster" in sent and b"Exif" in sent
    before = embedded_jpeg(PdfReader(io.BytesIO(sent)).pages[0].images[0]).getexif()
    assert before[ExifTags.Base.Artist] == "Jamie Tipster" and ExifTags.IFD.GPSInfo in before

    response = Client().post(URL, {**form(world), "attachments": [SimpleUploadedFile("photo.pdf", sent)]})

    assert response.status_code == 201
    stored = (media_dir() / TipAttachment.objects.get(kind="pdf").stored_name).read_bytes()
    for trace in (b"Pixelphone", b"Jamie", b"Tipster", b"Exif", b"xmpmeta"):
        assert trace not in stored, trace
    reader = PdfReader(io.BytesIO(stored))
    assert not {"/Author", "/Creator"} & set(reader.metadata or {})
    assert "/Metadata" not in reader.trailer["/Root"]
    (picture,) = reader.pages[0].images
    # The picture is still there, the same size and colour, with no EXIF at all.
    assert picture.image.size == (96, 64)
    red, green, blue = picture.image.convert("RGB").getpixel((48, 32))
    assert red > 180 and green < 60 and blue < 60
    assert dict(embedded_jpeg(picture).getexif()) == {}
    assert "/Metadata" not in picture.indirect_reference.get_object()
