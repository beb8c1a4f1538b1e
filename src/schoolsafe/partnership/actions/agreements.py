"""Writes: information-sharing agreements and the 24/7 contact directory. Each is one transaction with an audit
row; a refusal is a PartnershipError naming the field at fault and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.access.loaders import NotAllowed, may_do
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.partnership.models.agreements import DATA_CATEGORIES, LEGAL_BASES, DirectoryEntry, SharingAgreement

__all__ = [
    "PartnershipError", "do_change_agreement", "do_change_contact", "do_create_agreement", "do_create_contact",
    "do_verify_contact",
]

CATEGORY_CODES = {code for code, _ in DATA_CATEGORIES}
BASIS_CODES = {code for code, _ in LEGAL_BASES}
# A basis whose wording is not in the list itself: the agreement must cite it.
NEEDS_CITATION = {"state_statute", "court_order"}
AGREEMENT_FIELDS = ("title", "data_categories", "legal_basis", "legal_citation", "retention_days", "effective_date",
                    "expiry_date", "status", "notes")


class PartnershipError(ActionError, ValueError):
    """A partnership write refused; the message says why and `field` names the input at fault."""

    status = 400


def _is_person(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


# --- information-sharing agreements ----------------------------------------------------------------------


def _clean_agreement(values: dict[str, Any]) -> dict[str, Any]:
    """The agreement's fields checked, each refusal naming its field."""
    title = (values.get("title") or "").strip()
    if not title:
        raise PartnershipError("an agreement needs a title", field="title")
    categories = list(dict.fromkeys(values.get("data_categories") or []))
    if not categories:
        raise PartnershipError("choose at least one data category", field="data_categories")
    unknown = [c for c in categories if c not in CATEGORY_CODES]
    if unknown:
        raise PartnershipError(f"unknown data categories: {', '.join(map(str, unknown))}", field="data_categories")
    basis = values.get("legal_basis") or ""
    if basis not in BASIS_CODES:
        raise PartnershipError("choose the legal basis", field="legal_basis")
    citation = (values.get("legal_citation") or "").strip()
    if basis in NEEDS_CITATION and not citation:
        raise PartnershipError("cite the statute or the court order", field="legal_citation")
    retention = values.get("retention_days")
    if not isinstance(retention, int) or isinstance(retention, bool) or retention < 1 or retention > 36500:
        raise PartnershipError("the retention period is a number of days from 1 to 36500", field="retention_days")
    effective, expiry = values.get("effective_date"), values.get("expiry_date")
    if not isinstance(effective, dt.date):
        raise PartnershipError("give the effective date", field="effective_date")
    if expiry is not None and expiry < effective:
        raise PartnershipError("the expiry date is before the effective date", field="expiry_date", status=422)
    status = values.get("status") or SharingAgreement.Status.DRAFT
    if status not in SharingAgreement.Status.values:
        raise PartnershipError("status is draft, active or terminated", field="status")
    return {"title": title[:200], "data_categories": categories, "legal_basis": basis, "legal_citation": citation[:300],
            "retention_days": retention, "effective_date": effective, "expiry_date": expiry, "status": status,
            "notes": (values.get("notes") or "").strip()}


def _organization(agreement: SharingAgreement) -> str:
    district = agreement.districts.order_by("pk").first()
    agency = agreement.agencies.order_by("pk").first()
    return str(OrgKey.of(district or agency)) if (district or agency) else ""


def do_create_agreement(actor: Any, *, agencies: Iterable[Any], districts: Iterable[Any], **values: Any) -> SharingAgreement:
    """Record an information-sharing agreement between at least two organizations (agencies and districts);
    the actor must administer one of them."""
    agencies, districts = list(dict.fromkeys(agencies)), list(dict.fromkeys(districts))
    if len(agencies) + len(districts) < 2:
        raise PartnershipError("an agreement has at least two parties (agencies and districts)", field="parties")
    cleaned = _clean_agreement(values)
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(created_by=actor if _is_person(actor) else None, **cleaned)
        agreement.agencies.set(agencies)
        agreement.districts.set(districts)
        if _is_person(actor) and not may_do(agreement, actor, "change"):
            raise PartnershipError("only an administrator of one of the parties may record their agreement",
                                   field="parties", status=403)
        record(actor, "partnership.create_agreement", agreement, organization=_organization(agreement),
               summary={**cleaned, "agencies": [a.pk for a in agencies], "districts": [d.pk for d in districts]})
    return agreement


def do_change_agreement(actor: Any, agreement: SharingAgreement, **changes: Any) -> SharingAgreement:
    """Change an agreement's terms or status (only the fields given)."""
    unknown = sorted(set(changes) - set(AGREEMENT_FIELDS))
    if unknown:
        raise PartnershipError(f"no such field: {', '.join(unknown)}", field=unknown[0])
    with transaction.atomic():
        agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        if not may_do(agreement, actor, "change"):
            raise NotAllowed("change")
        current = {f: getattr(agreement, f) for f in AGREEMENT_FIELDS}
        cleaned = _clean_agreement({**current, **changes})
        changed = {f: cleaned[f] for f in AGREEMENT_FIELDS if cleaned[f] != current[f]}
        for field, value in cleaned.items():
            setattr(agreement, field, value)
        agreement.save()
        record(actor, "partnership.change_agreement", agreement, organization=_organization(agreement),
               summary={"changed": changed})
    return agreement


# --- the 24/7 contact directory -------------------------------------------------------------------------

CONTACT_FIELDS = ("role", "name", "phone", "alternate_phone", "escalation_order", "hours", "psap_name")


def _clean_contact(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in ("role", "name", "phone"):
        value = (values.get(field) or "").strip()
        if not value:
            raise PartnershipError(f"a directory entry needs a {field}", field=field)
        out[field] = value
    out["alternate_phone"] = (values.get("alternate_phone") or "").strip()
    for field in ("phone", "alternate_phone"):
        if out[field] and sum(ch.isdigit() for ch in out[field]) < 3:
            raise PartnershipError("a phone number needs its digits", field=field)
    order = values.get("escalation_order", 1)
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 99:
        raise PartnershipError("the order of escalation is 1, 2, 3 … (up to 99)", field="escalation_order")
    out["escalation_order"] = order
    out["hours"] = (values.get("hours") or "24/7").strip()[:120]
    psap = (values.get("psap_name") or "").strip()
    if kind == DirectoryEntry.Kind.PSAP and not psap:
        raise PartnershipError("name the 911 centre (PSAP)", field="psap_name")
    out["psap_name"] = psap[:200] if kind == DirectoryEntry.Kind.PSAP else ""
    return out


def _entry_org(entry: DirectoryEntry) -> str:
    return entry.organization_key


def do_create_contact(actor: Any, *, kind: str, school: Any = None, agency: Any = None,
                      **values: Any) -> DirectoryEntry:
    """Add a 24/7 directory entry for a school, or for an agency or the PSAP that dispatches for it."""
    if kind not in DirectoryEntry.Kind.values:
        raise PartnershipError("kind is school, agency or psap", field="kind")
    if kind == DirectoryEntry.Kind.SCHOOL and school is None:
        raise PartnershipError("choose the school", field="school")
    if kind != DirectoryEntry.Kind.SCHOOL and agency is None:
        raise PartnershipError("choose the agency" + (" the PSAP dispatches for" if kind == "psap" else ""),
                               field="agency")
    cleaned = _clean_contact(kind, values)
    owner = {"school": school} if kind == DirectoryEntry.Kind.SCHOOL else {"agency": agency}
    with transaction.atomic():
        entry = DirectoryEntry.objects.create(kind=kind, **owner, **cleaned)
        if _is_person(actor) and not may_do(entry, actor, "change"):
            raise PartnershipError(f"you may not add directory entries for {school or agency}",
                                   field="school" if school is not None else "agency", status=403)
        record(actor, "partnership.create_contact", entry, organization=_entry_org(entry),
               summary={"kind": kind, **cleaned})
    return entry


def do_change_contact(actor: Any, entry: DirectoryEntry, **changes: Any) -> DirectoryEntry:
    """Change an entry's role, name, phones, order of escalation or hours (only the fields given)."""
    unknown = sorted(set(changes) - set(CONTACT_FIELDS))
    if unknown:
        raise PartnershipError(f"no such field: {', '.join(unknown)}", field=unknown[0])
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
        if not may_do(entry, actor, "change"):
            raise NotAllowed("change")
        current = {f: getattr(entry, f) for f in CONTACT_FIELDS}
        cleaned = _clean_contact(entry.kind, {**current, **changes})
        changed = {f: cleaned[f] for f in CONTACT_FIELDS if cleaned[f] != current[f]}
        for field, value in cleaned.items():
            setattr(entry, field, value)
        entry.save()
        record(actor, "partnership.change_contact", entry, organization=_entry_org(entry),
               summary={"changed": changed})
    return entry


def do_verify_contact(actor: Any, entry: DirectoryEntry, *, on: dt.date | None = None) -> DirectoryEntry:
    """Stamp the entry as verified today (its number was called and answered) by the actor."""
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise PartnershipError("a verification cannot be in the future", field="on", status=422)
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
        if not may_do(entry, actor, "change"):
            raise NotAllowed("change")
        previous = entry.last_verified
        entry.last_verified, entry.verified_by = on, actor if _is_person(actor) else None
        entry.save(update_fields=["last_verified", "verified_by"])
        record(actor, "partnership.verify_contact", entry, organization=_entry_org(entry),
               summary={"on": on, "previous": previous})
    return entry
