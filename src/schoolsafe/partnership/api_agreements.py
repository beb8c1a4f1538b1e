"""The partnership API: information-sharing agreements and the 24/7 contact directory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.core.models import Agency, District
from schoolsafe.core.policies import access_school
from schoolsafe.partnership import actions
from schoolsafe.partnership.models.agreements import DirectoryEntry, SharingAgreement
from schoolsafe.partnership.policies import access_agreement, access_directory_agency, access_directory_entry

router = Router(tags=["partnership agreements"])


class AgreementOut(Schema):
    id: int
    title: str
    agency_ids: list[int]
    district_ids: list[int]
    parties: list[str]
    data_categories: list[str]
    legal_basis: str
    legal_citation: str
    retention_days: int
    effective_date: dt.date
    expiry_date: dt.date | None
    status: str
    standing: str
    notes: str


class AgreementIn(Schema):
    title: str
    agency_ids: list[int] = []
    district_ids: list[int] = []
    data_categories: list[str]
    legal_basis: str
    legal_citation: str = ""
    retention_days: int
    effective_date: dt.date
    expiry_date: dt.date | None = None
    status: str = "draft"
    notes: str = ""


class AgreementChange(Schema):
    title: str | None = None
    data_categories: list[str] | None = None
    legal_basis: str | None = None
    legal_citation: str | None = None
    retention_days: int | None = None
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    status: str | None = None
    notes: str | None = None


class EntryOut(Schema):
    id: int
    kind: str
    school_id: int | None
    agency_id: int | None
    psap_name: str
    role: str
    name: str
    phone: str
    alternate_phone: str
    escalation_order: int
    hours: str
    last_verified: dt.date | None
    verified_by: str | None
    stale: bool


class EntryIn(Schema):
    kind: str
    school_id: int | None = None
    agency_id: int | None = None
    psap_name: str = ""
    role: str
    name: str
    phone: str
    alternate_phone: str = ""
    escalation_order: int = 1
    hours: str = "24/7"


class EntryChange(Schema):
    psap_name: str | None = None
    role: str | None = None
    name: str | None = None
    phone: str | None = None
    alternate_phone: str | None = None
    escalation_order: int | None = None
    hours: str | None = None


def _agreement_out(a: SharingAgreement) -> dict[str, Any]:
    agencies: list[Any] = list(a.agencies.order_by("name"))
    districts: list[Any] = list(a.districts.order_by("name"))
    return {"id": a.pk, "title": a.title, "agency_ids": [x.pk for x in agencies], "district_ids": [x.pk for x in districts],
            "parties": [x.name for x in [*agencies, *districts]], "data_categories": a.data_categories,
            "legal_basis": a.legal_basis, "legal_citation": a.legal_citation, "retention_days": a.retention_days,
            "effective_date": a.effective_date, "expiry_date": a.expiry_date, "status": a.status,
            "standing": a.standing(timezone.localdate()), "notes": a.notes}


def _entry_out(e: DirectoryEntry) -> dict[str, Any]:
    today = timezone.localdate()
    return {"id": e.pk, "kind": e.kind, "school_id": e.school_id, "agency_id": e.agency_id, "psap_name": e.psap_name,
            "role": e.role, "name": e.name, "phone": e.phone, "alternate_phone": e.alternate_phone,
            "escalation_order": e.escalation_order, "hours": e.hours, "last_verified": e.last_verified,
            "verified_by": e.verified_by.display_name if e.verified_by else None,
            "stale": e.is_stale(today)}


@router.get("/partnership/agreements", response=list[AgreementOut])
def list_agreements(request: ApiRequest):
    """The information-sharing agreements of the caller's organizations; `standing` is "expiring" within 30
    days of expiry."""
    return [_agreement_out(a) for a in SharingAgreement.objects.restrict(request.auth, "view")]


@router.get("/partnership/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request: ApiRequest, agreement_id: int):
    """One agreement; 404 when the caller's organizations are not among its parties."""
    return _agreement_out(access_agreement(request.auth, agreement_id))


@router.post("/partnership/agreements", response={201: AgreementOut})
def create_agreement(request: ApiRequest, payload: AgreementIn):
    """Record an agreement between at least two parties, with its data categories, legal basis (a FERPA
    exception of 34 CFR Part 99, a state statute with its citation, a court order or consent), retention and
    dates."""
    values = payload.dict()
    agencies = list(Agency.objects.filter(pk__in=values.pop("agency_ids")))
    districts = list(District.objects.filter(pk__in=values.pop("district_ids")))
    agreement = actions.do_create_agreement(request.auth, agencies=agencies, districts=districts, **values)
    return Status(201, _agreement_out(agreement))


@router.patch("/partnership/agreements/{agreement_id}", response=AgreementOut)
def change_agreement(request: ApiRequest, agreement_id: int, payload: AgreementChange):
    """Change an agreement's terms or status (the fields given)."""
    agreement = access_agreement(request.auth, agreement_id, "change")
    changes = payload.dict(exclude_unset=True)
    return _agreement_out(actions.do_change_agreement(request.auth, agreement, **changes))


@router.get("/partnership/directory/schools/{school_id}", response=list[EntryOut])
def school_directory(request: ApiRequest, school_id: int):
    """A school's 24/7 directory as the caller may read it: the school's entries, the serving agencies' and
    their PSAPs', in order of escalation. `stale`: not verified in the last 180 days."""
    school = access_school(request.auth, school_id)
    entries = DirectoryEntry.objects.restrict(request.auth, "view").select_related("verified_by")
    mine = [*entries.filter(school=school), *entries.filter(agency__in=school.agencies.all(), kind="agency"),
            *entries.filter(agency__in=school.agencies.all(), kind="psap")]
    return [_entry_out(e) for e in mine]


@router.get("/partnership/directory/agencies/{agency_id}", response=list[EntryOut])
def agency_directory(request: ApiRequest, agency_id: int):
    """An agency's 24/7 entries and its PSAP's, in order of escalation."""
    agency = access_directory_agency(request.auth, agency_id)
    entries = DirectoryEntry.objects.restrict(request.auth, "view").filter(agency=agency).select_related("verified_by")
    return [_entry_out(e) for e in entries.order_by("kind", "escalation_order", "pk")]


@router.post("/partnership/directory", response={201: EntryOut})
def create_entry(request: ApiRequest, payload: EntryIn):
    """Add an entry: kind "school" (with school_id), "agency" or "psap" (with agency_id: the agency it
    dispatches for, and psap_name)."""
    values = payload.dict()
    school_id, agency_id = values.pop("school_id"), values.pop("agency_id")
    school = access_school(request.auth, school_id) if school_id is not None and values["kind"] == "school" else None
    agency = access_directory_agency(request.auth, agency_id) if agency_id is not None and values["kind"] != "school" \
        else None
    entry = actions.do_create_contact(request.auth, school=school, agency=agency, **values)
    return Status(201, _entry_out(entry))


@router.patch("/partnership/directory/{entry_id}", response=EntryOut)
def change_entry(request: ApiRequest, entry_id: int, payload: EntryChange):
    """Change an entry's role, name, phones, order of escalation, hours (the fields given)."""
    entry = access_directory_entry(request.auth, entry_id, "change")
    return _entry_out(actions.do_change_contact(request.auth, entry, **payload.dict(exclude_unset=True)))


@router.post("/partnership/directory/{entry_id}/verify", response=EntryOut)
def verify_entry(request: ApiRequest, entry_id: int):
    """Stamp the entry verified today by the caller (its number was called and answered)."""
    entry = access_directory_entry(request.auth, entry_id, "change")
    return _entry_out(actions.do_verify_contact(request.auth, entry))
