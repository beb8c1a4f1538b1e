"""The responder packet of the demo's Cedar Falls High School: a PDF that renders and says what it must."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from schoolsafe.accounts.county import load_demo
from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.models import School
from schoolsafe.plans.models import EmergencyContact, PlanVersion
from schoolsafe.plans.pdf import responder_packet_pdf
from schoolsafe.plans.sitemap import feature_label, features_for
from schoolsafe.plans.srp import DEFAULT_DIRECTIVES
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_school() -> School:
    load_demo()
    return School.objects.get(name="Cedar Falls High School")


def pdf_text(data: bytes) -> str:
    # Table cells can wrap, so compare with whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_demo_school_has_a_site_map_and_an_approved_plan(demo_school):
    kinds = {f["properties"]["kind"] for f in features_for(demo_school)["features"]}
    assert {"building", "entrance", "exit", "rally_point", "reunification_site", "staging_area", "utility_shutoff",
            "knox_box", "aed", "first_aid_kit", "camera"} <= kinds
    plan = demo_school.emergency_plan
    approved = plan.versions.get(status=PlanVersion.Status.APPROVED)
    assert approved.signoffs.count() == 5
    assert plan.review_due is not None and not plan.is_overdue()
    # The middle school's plan is the demo's overdue one.
    middle = School.objects.get(name="Cedar Falls Middle School").emergency_plan
    assert middle.is_overdue()


def test_the_packet_names_the_school_the_contacts_and_every_site_feature(demo_school):
    data = responder_packet_pdf(demo_school)
    text = pdf_text(data)
    assert "Cedar Falls High School" in text
    assert "1200 Falcon Way" in text
    for contact in EmergencyContact.objects.filter(school=demo_school):
        assert contact.name in text and contact.phone in text
    assert "Cedar Falls Police Department" in text and "(352) 555-0150" in text
    for feature in features_for(demo_school)["features"]:
        assert feature_label(feature) in text, feature_label(feature)
    for directive in DEFAULT_DIRECTIVES.values():
        assert directive in text
    for heading in ("Key contacts (24/7)", "Access information", "Standard Response Protocol",
                    "Evacuation and reunification sites", "Utility shut-offs", "Site map: Cedar Falls High School"):
        assert heading in text
    assert "Knox box left of Door 1" in text
    assert "Gas main shut-off" in text and "Electric" in text
    assert "version 1, approved" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_packet_renders_to_images(demo_school, tmp_path):
    pdf = tmp_path / "packet.pdf"
    pdf.write_bytes(responder_packet_pdf(demo_school))
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(str(pdf)).pages) >= 2
    for page in pages:
        assert page.read_bytes().startswith(b"\x89PNG") and page.stat().st_size > 2000
    # The map page is not blank: the drawing has many non-white pixels.
    from PIL import Image

    map_page = Image.open(pages[2] if len(pages) > 2 else pages[-1]).convert("L")
    dark = sum(map_page.histogram()[:200])
    assert dark > 2000


def test_a_school_without_a_map_still_gets_a_packet(world):
    text = pdf_text(responder_packet_pdf(world.school_a2))
    assert "School A Elementary" in text
    assert "No site map has been drawn for this school yet." in text
    assert "no approved version on file" in text


def test_the_packet_escapes_markup_in_user_text(world, principal_a):
    from schoolsafe.plans.actions import do_update_responder_info

    do_update_responder_info(principal_a, world.school_a, access_information="Gate <b>code</b> & keys: ask <dispatch>")
    text = pdf_text(responder_packet_pdf(world.school_a))
    assert "Gate <b>code</b> & keys: ask <dispatch>" in text


def test_packet_pages_and_downloads(demo_school):
    from schoolsafe.accounts.models import User

    sro = User.objects.get(username="sro")
    client = client_for(sro)
    page = client.get(f"/plans/schools/{demo_school.pk}/responder/")
    assert page.status_code == 200 and "Ray Dunn" in page.content.decode()
    pdf = client.get(f"/plans/schools/{demo_school.pk}/responder-packet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    archive = client.get(f"/plans/schools/{demo_school.pk}/responder-packet.zip")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        names = zipped.namelist()
        assert "responder-packet-cedar-falls-high-school.pdf" in names
        assert "site-map-cedar-falls-high-school.geojson" in names
        geojson = json.loads(zipped.read("site-map-cedar-falls-high-school.geojson"))
        assert len(geojson["features"]) == len(features_for(demo_school)["features"])
        assert "Cedar Falls High School" in pdf_text(zipped.read("responder-packet-cedar-falls-high-school.pdf"))
    assert AuditEntry.objects.filter(action="plans.download_responder_packet", actor=sro).count() == 2


def test_packet_pages_anonymous_and_without_permission(demo_school, client):
    from schoolsafe.accounts.models import User

    teacher = client_for(User.objects.get(username="teacher"))  # reads the plan, not the packet
    teacher_b = client_for(User.objects.get(username="teacher_b"))  # another school
    for url in (f"/plans/schools/{demo_school.pk}/responder/", f"/plans/schools/{demo_school.pk}/responder-packet.pdf",
                f"/plans/schools/{demo_school.pk}/responder-packet.zip"):
        assert client.get(url).status_code == 302, url
        assert teacher.get(url).status_code == 403, url  # sees the site map: refused, not hidden
        assert teacher_b.get(url).status_code == 404, url


def test_contacts_and_access_are_edited_on_the_responder_page(world, principal_a, teacher_a):
    client = client_for(principal_a)
    school = world.school_a
    response = client.post(f"/plans/schools/{school.pk}/responder/contacts",
                           {"name": "Ray Dunn", "role": "Head custodian", "phone": "555-0177"})
    assert response.status_code == 302
    contact = EmergencyContact.objects.get(school=school)
    bad = client.post(f"/plans/schools/{school.pk}/responder/contacts", {"name": "No Phone", "role": "x", "phone": ""})
    assert bad.status_code == 400 and 'id="id_phone_error">This field is required.' in bad.content.decode()
    assert client.post(f"/plans/schools/{school.pk}/responder/access",
                       {"access_information": "Knox box at Door 1"}).status_code == 302
    text = pdf_text(responder_packet_pdf(school))
    assert "Ray Dunn" in text and "555-0177" in text and "Knox box at Door 1" in text
    assert client_for(teacher_a).post(f"/plans/contacts/{contact.pk}/remove").status_code == 404
    assert client.post(f"/plans/contacts/{contact.pk}/remove").status_code == 302
    assert not EmergencyContact.objects.filter(school=school).exists()
