"""The MOU register: drafting an MOU with the SECURe sections, the rules on dates and signing (the discipline
statement), the signed PDF, the MOU's PDF, and who may read and change it, through the pages and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader, PdfWriter

from schoolsafe.audit.models import AuditEntry
from schoolsafe.sro import actions
from schoolsafe.sro.models import SECTION_HEADINGS, Mou, MouSection
from schoolsafe.sro.mou_pdf import mou_pdf
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db

EFFECTIVE = dt.date(2025, 8, 1)


@pytest.fixture
def mou(world, director_a) -> Mou:
    return actions.do_create_mou(director_a, agency=world.agency_a, district=world.district_a,
                                 title="SRO program MOU", effective_date=EFFECTIVE, expiry_date=dt.date(2028, 7, 31))


def _signed_by_both(mou: Mou, actor) -> None:
    actions.do_add_signatory(actor, mou, name="Chief Ann Ruiz", title="Chief of Police", side="agency",
                             signed_on=dt.date(2025, 7, 20))
    actions.do_add_signatory(actor, mou, name="Dr. Lee Park", title="Superintendent", side="district",
                             signed_on=dt.date(2025, 7, 21))


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_new_mou_has_every_secure_section_in_order_with_a_starting_text_and_a_default_review_date(mou):
    sections = list(mou.sections.all())
    assert [s.heading for s in sections] == list(SECTION_HEADINGS.values())
    assert all(s.text for s in sections)
    assert actions.has_discipline_statement(mou.sections.get(key="roles").text)
    # 90 days before expiry.
    assert mou.review_date == dt.date(2028, 7, 31) - dt.timedelta(days=90)
    assert AuditEntry.objects.filter(action="sro.create_mou", object_id=str(mou.pk)).exists()


def test_expiry_before_effective_is_refused_naming_the_field_and_writes_nothing(world, director_a):
    api = client_for(director_a)
    response = api.post("/api/v1/sro/mous", {"agency_id": world.agency_a.pk, "district_id": world.district_a.pk,
                                             "title": "Backwards", "effective_date": "2025-08-01",
                                             "expiry_date": "2025-07-01"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("expiry_date:")
    assert not Mou.objects.exists() and not MouSection.objects.exists()


def test_an_agency_that_serves_none_of_the_districts_schools_is_refused(world, director_a):
    api = client_for(director_a)
    response = api.post("/api/v1/sro/mous", {"agency_id": world.agency_b.pk, "district_id": world.district_a.pk,
                                             "title": "Wrong agency", "effective_date": "2025-08-01"},
                        content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("agency:")
    assert not Mou.objects.exists()


def test_a_member_of_another_district_cannot_draft_this_districts_mou(world, director_b):
    response = client_for(director_b).post(
        "/api/v1/sro/mous", {"agency_id": world.agency_a.pk, "district_id": world.district_a.pk, "title": "Not mine",
                             "effective_date": "2025-08-01"}, content_type="application/json")
    assert response.status_code == 403
    assert not Mou.objects.exists()


def test_signing_is_refused_while_the_roles_section_lacks_the_discipline_statement(mou, director_a):
    api = client_for(director_a)
    _signed_by_both(mou, director_a)
    response = api.put(f"/api/v1/sro/mous/{mou.pk}/sections/roles",
                       {"text": "SROs keep order in the school and enforce its code of conduct."},
                       content_type="application/json")
    assert response.status_code == 200
    response = api.post(f"/api/v1/sro/mous/{mou.pk}/sign")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("sections:")
    assert "do not administer school discipline" in response.json()["detail"]
    mou.refresh_from_db()
    assert mou.status == Mou.Status.DRAFT and mou.signed_at is None
    # The page says the same, with the status.
    page = api.post(f"/sro/mou/{mou.pk}/sign/")
    assert page.status_code == 422 and "Not signed" in page.content.decode()
    # With the statement back (in other words around it), it signs.
    api.put(f"/api/v1/sro/mous/{mou.pk}/sections/roles",
            {"text": "Officers enforce the criminal law.\nSROs shall  NOT administer school\ndiscipline."},
            content_type="application/json")
    response = api.post(f"/api/v1/sro/mous/{mou.pk}/sign")
    assert response.status_code == 200 and response.json()["status"] == "signed"


def test_signing_needs_a_dated_signatory_for_each_side(mou, director_a):
    with pytest.raises(actions.MouError) as refused:
        actions.do_mark_mou_signed(director_a, mou)
    assert refused.value.field == "signatories"
    actions.do_add_signatory(director_a, mou, name="Chief Ann Ruiz", title="Chief", side="agency",
                             signed_on=dt.date(2025, 7, 20))
    with pytest.raises(actions.MouError, match="district"):
        actions.do_mark_mou_signed(director_a, mou)


def test_a_signed_mou_supersedes_the_previous_one_and_its_text_is_frozen(world, mou, director_a):
    _signed_by_both(mou, director_a)
    actions.do_mark_mou_signed(director_a, mou)
    newer = actions.do_create_mou(director_a, agency=world.agency_a, district=world.district_a, title="Renewal",
                                  effective_date=dt.date(2026, 8, 1))
    _signed_by_both(newer, director_a)
    actions.do_mark_mou_signed(director_a, newer)
    mou.refresh_from_db()
    assert mou.status == Mou.Status.SUPERSEDED
    with pytest.raises(actions.MouError) as refused:
        actions.do_change_mou_section(director_a, newer, key="funding", text="Changed")
    assert refused.value.field == "status" and refused.value.status == 409


def test_bad_signatory_input_names_the_field(mou, director_a):
    api = client_for(director_a)
    for body, field in [({"name": "", "title": "Chief", "side": "agency"}, "name"),
                        ({"name": "Ann", "title": "Chief", "side": "union"}, "side"),
                        ({"name": "Ann", "title": "Chief", "side": "agency", "signed_on": "2999-01-01"}, "signed_on")]:
        response = api.post(f"/api/v1/sro/mous/{mou.pk}/signatories", body, content_type="application/json")
        assert response.status_code in (400, 422), body
        assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not mou.signatories.exists()
    response = api.put(f"/api/v1/sro/mous/{mou.pk}/sections/preamble", {"text": "x"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"].startswith("key:")


def test_the_signed_file_must_be_a_pdf_and_is_served_only_to_readers(mou, director_a, teacher_a, director_b,
                                                                     officer_agency_a, agency_admin_a):
    api = client_for(director_a)
    response = api.post(f"/api/v1/sro/mous/{mou.pk}/signed-file",
                        {"signed_file": io.BytesIO(b"MZ not a pdf")})
    assert response.status_code == 422 and response.json()["detail"].startswith("signed_file:")
    response = api.post(f"/api/v1/sro/mous/{mou.pk}/signed-file",
                        {"signed_file": _named(b"%PDF-1.7\ngarbage", "broken.pdf")})
    assert response.status_code == 422
    mou.refresh_from_db()
    assert not mou.signed_file
    response = api.post(f"/api/v1/sro/mous/{mou.pk}/signed-file", {"signed_file": _named(a_pdf(), "MOU signed.pdf")})
    assert response.status_code == 200 and response.json()["has_signed_file"]
    mou.refresh_from_db()
    assert mou.signed_file_name == "MOU signed.pdf"
    # Stored under our own name, read back through the access-checked view only.
    assert "MOU signed" not in mou.signed_file.name
    for reader in (officer_agency_a, agency_admin_a, director_a):
        download = client_for(reader).get(f"/sro/mou/{mou.pk}/signed-file/")
        assert download.status_code == 200
        assert len(PdfReader(io.BytesIO(b"".join(download.streaming_content) if download.streaming else
                                        download.content)).pages) == 1
    for outsider in (teacher_a, director_b):
        assert client_for(outsider).get(f"/sro/mou/{mou.pk}/signed-file/").status_code == 404
        assert client_for(outsider).get(f"/api/v1/sro/mous/{mou.pk}/signed-file").status_code == 404


def _named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_signed_file_has_a_size_limit(mou, director_a, monkeypatch):
    monkeypatch.setattr(actions, "MAX_SIGNED_FILE_BYTES", 100)
    from schoolsafe.sro.actions import mou as mou_actions

    monkeypatch.setattr(mou_actions, "MAX_SIGNED_FILE_BYTES", 100)
    response = client_for(director_a).post(f"/api/v1/sro/mous/{mou.pk}/signed-file",
                                           {"signed_file": _named(a_pdf() + b" " * 200, "big.pdf")})
    assert response.status_code == 413 and response.json()["detail"].startswith("signed_file:")


def test_the_mou_pdf_names_both_parties_every_section_and_the_signatories(world, mou, director_a):
    world.agency_a.address, world.agency_a.city, world.agency_a.state = "10 Main St", "Cedar Falls", "FL"
    world.agency_a.save()
    _signed_by_both(mou, director_a)
    actions.do_change_mou_section(director_a, mou, key="funding", text="The district pays <half> & the agency half.")
    for data in (mou_pdf(Mou.objects.get(pk=mou.pk)),
                 client_for(director_a).get(f"/api/v1/sro/mous/{mou.pk}/pdf").content,
                 client_for(director_a).get(f"/sro/mou/{mou.pk}/pdf/").content):
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
        assert world.agency_a.name in text and world.district_a.name in text
        assert "10 Main St, Cedar Falls, FL" in text
        for heading in SECTION_HEADINGS.values():
            assert heading in text, heading
        assert "The district pays <half> & the agency half." in text
        assert "Chief Ann Ruiz" in text and "July 21, 2025" in text


def test_who_reads_and_who_changes_an_mou(world, mou, director_a, director_b, principal_a, teacher_a, sro_a,
                                          supervisor_a, officer_agency_a, agency_admin_a, analyst_a, outsider):
    principal_a2 = make_person("principal_a2", "school_admin", world.school_a2, "school")
    readers = [director_a, principal_a, sro_a, supervisor_a, officer_agency_a, agency_admin_a]
    for user in readers:
        api = client_for(user)
        assert [m["id"] for m in api.get("/api/v1/sro/mous").json()] == [mou.pk], user.username
        assert api.get(f"/api/v1/sro/mous/{mou.pk}").status_code == 200
        assert api.get(f"/sro/mou/{mou.pk}/").status_code == 200
    # School A2 is not served by the agency: its principal does not see the MOU; nor do staff or other districts.
    for user in (principal_a2, teacher_a, director_b, analyst_a, outsider):
        api = client_for(user)
        assert api.get("/api/v1/sro/mous").json() == [], user.username
        assert api.get(f"/api/v1/sro/mous/{mou.pk}").status_code == 404
        assert api.get(f"/api/v1/sro/mous/{mou.pk}/pdf").status_code == 404
        assert api.get(f"/sro/mou/{mou.pk}/").status_code == 404
    # Readers who are not a party's administrator may not change it.
    for user in (principal_a, sro_a, supervisor_a, officer_agency_a):
        api = client_for(user)
        assert api.put(f"/api/v1/sro/mous/{mou.pk}/sections/funding", {"text": "x"},
                       content_type="application/json").status_code == 403
        assert api.post(f"/api/v1/sro/mous/{mou.pk}/sign").status_code == 403
        assert api.post(f"/sro/mou/{mou.pk}/sections/funding/", {"funding-text": "x"}).status_code == 403
    assert mou.sections.get(key="funding").text == actions.STARTING_TEXT["funding"]
    # Both parties' administrators change it.
    for user in (agency_admin_a, director_a):
        response = client_for(user).put(f"/api/v1/sro/mous/{mou.pk}/sections/funding", {"text": user.username},
                                        content_type="application/json")
        assert response.status_code == 200
    assert AuditEntry.objects.filter(action="sro.change_mou_section").count() == 2


def test_the_api_asks_for_credentials(world, mou, client):
    for method, url in [("get", "/api/v1/sro/mous"), ("get", f"/api/v1/sro/mous/{mou.pk}"),
                        ("post", "/api/v1/sro/mous"), ("put", f"/api/v1/sro/mous/{mou.pk}/sections/roles"),
                        ("post", f"/api/v1/sro/mous/{mou.pk}/signatories"), ("post", f"/api/v1/sro/mous/{mou.pk}/sign"),
                        ("get", f"/api/v1/sro/mous/{mou.pk}/pdf"), ("get", f"/api/v1/sro/mous/{mou.pk}/signed-file"),
                        ("post", f"/api/v1/sro/mous/{mou.pk}/signed-file")]:
        assert getattr(client, method)(url).status_code == 401, url


def test_the_pages_draft_an_mou_and_show_it(world, director_a):
    api = client_for(director_a)
    assert api.get("/sro/mou/new/").status_code == 200
    bad = api.post("/sro/mou/new/", {"title": "Pages MOU", "agency": world.agency_a.pk, "district": world.district_a.pk,
                                     "effective_date": "2025-08-01", "expiry_date": "2025-01-01"})
    assert bad.status_code == 400 and "expiry date is before" in bad.content.decode()
    assert not Mou.objects.exists()
    response = api.post("/sro/mou/new/", {"title": "Pages MOU", "agency": world.agency_a.pk,
                                          "district": world.district_a.pk, "effective_date": "2025-08-01"})
    mou = Mou.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sro/mou/{mou.pk}/"
    page = api.get(f"/sro/mou/{mou.pk}/").content.decode()
    for heading in SECTION_HEADINGS.values():
        assert heading in page
    assert "Pages MOU" in api.get("/sro/mou/").content.decode()
