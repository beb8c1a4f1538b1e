"""The SRO program API: the MOU register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.audit.log import record
from schoolsafe.core.models import Agency, District
from schoolsafe.sro import actions
from schoolsafe.sro.models.mou import Mou
from schoolsafe.sro.mou_pdf import mou_filename, mou_pdf
from schoolsafe.sro.policies import access_mou

router = Router(tags=["sro mou"])

PDF_RESPONSE = {"responses": {"200": {"description": "a PDF", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


class SectionOut(Schema):
    key: str
    heading: str
    text: str


class SignatoryOut(Schema):
    id: int
    name: str
    title: str
    side: str
    signed_on: dt.date | None


class MouOut(Schema):
    id: int
    title: str
    status: str
    agency_id: int
    agency_name: str
    district_id: int
    district_name: str
    effective_date: dt.date
    expiry_date: dt.date | None
    review_date: dt.date | None
    due_for_review: bool
    signed_at: dt.datetime | None
    has_signed_file: bool
    sections: list[SectionOut]
    signatories: list[SignatoryOut]


class MouIn(Schema):
    agency_id: int
    district_id: int
    title: str
    effective_date: dt.date
    expiry_date: dt.date | None = None
    review_date: dt.date | None = None


class SectionIn(Schema):
    text: str


class SignatoryIn(Schema):
    name: str
    title: str
    side: str
    signed_on: dt.date | None = None


def _out(mou: Mou) -> dict[str, Any]:
    return {
        "id": mou.pk, "title": mou.title, "status": mou.status, "agency_id": mou.agency_id,
        "agency_name": mou.agency.name, "district_id": mou.district_id, "district_name": mou.district.name,
        "effective_date": mou.effective_date, "expiry_date": mou.expiry_date, "review_date": mou.review_date,
        "due_for_review": mou.due_for_review(timezone.localdate()), "signed_at": mou.signed_at,
        "has_signed_file": bool(mou.signed_file),
        "sections": [{"key": s.key, "heading": s.heading, "text": s.text} for s in mou.sections.all()],
        "signatories": list(mou.signatories.all()),
    }


@router.get("/sro/mous", response=list[MouOut])
def list_mous(request: ApiRequest):
    """The MOUs the caller may read (the agency's, the district's)."""
    mous = Mou.objects.restrict(request.auth, "view").select_related("agency", "district").prefetch_related(
        "sections", "signatories")
    return [_out(m) for m in mous]


@router.get("/sro/mous/{mou_id}", response=MouOut)
def get_mou(request: ApiRequest, mou_id: int):
    """One MOU with its sections and signatories; 404 when it does not exist or the caller may not read it."""
    return _out(access_mou(request.auth, mou_id))


@router.post("/sro/mous", response={201: MouOut})
def create_mou(request: ApiRequest, payload: MouIn):
    """Draft an MOU between an agency and a district (the agency must serve one of the district's schools); its
    sections start from a neutral text. The review date defaults to 90 days before expiry."""
    mou = actions.do_create_mou(
        request.auth, agency=Agency.objects.filter(pk=payload.agency_id).first(),
        district=District.objects.filter(pk=payload.district_id).first(), title=payload.title,
        effective_date=payload.effective_date, expiry_date=payload.expiry_date, review_date=payload.review_date)
    return Status(201, _out(access_mou(request.auth, mou.pk)))


@router.put("/sro/mous/{mou_id}/sections/{key}", response=MouOut)
def change_mou_section(request: ApiRequest, mou_id: int, key: str, payload: SectionIn):
    """Replace one section's text (keys: purpose, roles, information_sharing, selection_training,
    supervision_evaluation, funding, data_reporting, complaints)."""
    mou = access_mou(request.auth, mou_id, "change")
    actions.do_change_mou_section(request.auth, mou, key=key, text=payload.text)
    return _out(access_mou(request.auth, mou_id))


@router.post("/sro/mous/{mou_id}/signatories", response={201: MouOut})
def add_signatory(request: ApiRequest, mou_id: int, payload: SignatoryIn):
    """Add a signatory for the agency or the district side."""
    mou = access_mou(request.auth, mou_id, "change")
    actions.do_add_signatory(request.auth, mou, name=payload.name, title=payload.title, side=payload.side,
                             signed_on=payload.signed_on)
    return Status(201, _out(access_mou(request.auth, mou_id)))


@router.post("/sro/mous/{mou_id}/sign", response=MouOut)
def mark_mou_signed(request: ApiRequest, mou_id: int):
    """Mark the MOU signed. 422 naming `sections` while the roles section does not state that SROs do not
    administer school discipline, or `signatories` while a side has no dated signatory."""
    mou = access_mou(request.auth, mou_id, "change")
    actions.do_mark_mou_signed(request.auth, mou)
    return _out(access_mou(request.auth, mou_id))


@router.post("/sro/mous/{mou_id}/signed-file", response=MouOut)
def attach_signed_file(request: ApiRequest, mou_id: int, signed_file: File[UploadedFile]):
    """Upload the scanned, signed MOU (a PDF, at most 10 MB; multipart field `signed_file`)."""
    mou = access_mou(request.auth, mou_id, "change")
    if signed_file.size is not None and signed_file.size > actions.MAX_SIGNED_FILE_BYTES:
        raise actions.MouError("the signed file is larger than 10 MB", field="signed_file", status=413)
    actions.do_attach_signed_file(request.auth, mou, name=signed_file.name or "", data=signed_file.read())
    return _out(access_mou(request.auth, mou_id))


@router.get("/sro/mous/{mou_id}/signed-file", response={200: None}, openapi_extra=PDF_RESPONSE)
def get_signed_file(request: ApiRequest, mou_id: int):
    """The signed PDF as uploaded; 404 when there is none."""
    mou = access_mou(request.auth, mou_id)
    return signed_file_response(request.auth, mou, via="api")


@router.get("/sro/mous/{mou_id}/pdf", response={200: None}, openapi_extra=PDF_RESPONSE)
def get_mou_pdf(request: ApiRequest, mou_id: int):
    """The MOU as a PDF: both parties, the dates, every section in the SECURe rubric's order, the signatories."""
    mou = access_mou(request.auth, mou_id)
    response = HttpResponse(mou_pdf(mou), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{mou_filename(mou)}"'
    return response


def signed_file_response(user: Any, mou: Mou, *, via: str) -> HttpResponse:
    """The stored signed PDF, read through Django's storage (never a public media URL), the read audited."""
    from django.http import Http404

    if not mou.signed_file:
        raise Http404("No signed file.")
    with mou.signed_file.open("rb") as handle:
        data = handle.read()
    record(user, "sro.download_signed_mou", mou, organization=f"district:{mou.district_id}", summary={"via": via})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{mou.signed_file_name or "signed.pdf"}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
