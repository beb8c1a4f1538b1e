"""Writes to MOUs: create one with the SECURe sections, change a section, add signatories, mark it signed,
attach the signed PDF, and the review reminders the worker sends (sro/tasks.py).

Each write is one transaction with an audit row; a refusal is an MouError naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from schoolsafe.access.loaders import NotAllowed, may_do
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.events.emit import emit_event
from schoolsafe.notifications.mail import attempt_mail, queue_mail
from schoolsafe.sro.models.mou import DEFAULT_REVIEW_LEAD, SECTION_HEADINGS, SECTIONS, Mou, MouSection, MouSignatory

__all__ = [
    "DISCIPLINE_STATEMENT", "MAX_SIGNED_FILE_BYTES", "MouError", "REVIEW_SOON", "STARTING_TEXT",
    "do_add_signatory", "do_attach_signed_file", "do_change_mou_section", "do_create_mou", "do_mark_mou_signed",
    "do_send_mou_review_reminders", "has_discipline_statement",
]

# A signed MOU must say that SROs do not administer school discipline (the SECURe rubric's roles and
# responsibilities; discipline stays with school administrators). The check: the roles section, case and
# spacing aside, contains "not administer school discipline" ("SROs do not / shall not / will not administer
# school discipline"). A fixed phrase rather than a guess at meaning, so the parties know what to write.
DISCIPLINE_STATEMENT = "not administer school discipline"
MAX_SIGNED_FILE_BYTES = 10 * 1024 * 1024
REVIEW_SOON = dt.timedelta(days=30)

# A short neutral starting text for each section (our own words), for the parties to replace.
STARTING_TEXT = {
    "purpose": "This memorandum sets out how the agency and the district work together to keep students and staff "
               "safe through a school resource officer program.",
    "roles": "School resource officers (SROs) are sworn officers of the agency assigned to schools of the district. "
             "SROs do not administer school discipline: student discipline remains the responsibility of school "
             "administrators. SROs act on violations of criminal law.",
    "information_sharing": "The parties share student information only as the Family Educational Rights and Privacy "
                           "Act (FERPA, 34 CFR Part 99) and state law allow, and record what they share.",
    "selection_training": "The agency and the district together select SROs and agree the training each completes "
                          "before and during an assignment.",
    "supervision_evaluation": "The agency supervises its officers; the school principal and the agency together "
                              "evaluate each SRO's work at the school at least once a year.",
    "funding": "This section states who pays for salaries, equipment, training and overtime.",
    "data_reporting": "The parties collect and publish data on SRO activity, including arrests, citations and referrals "
                      "of students, by school and student group.",
    "complaints": "Students, parents and staff may make a complaint about an SRO to the school or the agency; this "
                  "section says how it is received, investigated and answered.",
}


class MouError(ActionError, ValueError):
    """An MOU step refused; the message says why and `field` names the input at fault."""

    status = 400


def has_discipline_statement(text: str) -> bool:
    return DISCIPLINE_STATEMENT in " ".join(text.split()).casefold()


def _org(mou: Mou) -> str:
    return str(OrgKey.district(mou.district_id))


def _require_change(actor: Any, mou: Mou) -> None:
    if not may_do(mou, actor, "change"):
        raise NotAllowed("change")


def _require_unsigned(mou: Mou) -> None:
    if mou.status != Mou.Status.DRAFT and mou.status != Mou.Status.IN_REVIEW:
        raise MouError(f"the MOU is {mou.get_status_display().lower()}; only a draft or one in review can be changed",
                       field="status", status=409)


def do_create_mou(actor: Any, *, agency: Any, district: Any, title: str, effective_date: dt.date,
                  expiry_date: dt.date | None = None, review_date: dt.date | None = None) -> Mou:
    """Start a draft MOU between an agency and a district, its sections seeded in the SECURe rubric's order.
    The review date defaults to 90 days before expiry."""
    title = (title or "").strip()
    if not title:
        raise MouError("an MOU needs a title", field="title")
    if agency is None:
        raise MouError("choose the agency", field="agency")
    if district is None:
        raise MouError("choose the district", field="district")
    if not district.schools.filter(agencies=agency).exists():
        raise MouError(f"{agency.name} serves none of the schools of {district.name}", field="agency", status=422)
    if effective_date is None:
        raise MouError("give the effective date", field="effective_date")
    if expiry_date is not None and expiry_date < effective_date:
        raise MouError("the expiry date is before the effective date", field="expiry_date", status=422)
    if review_date is None and expiry_date is not None:
        review_date = expiry_date - DEFAULT_REVIEW_LEAD
    with transaction.atomic():
        mou = Mou.objects.create(agency=agency, district=district, title=title[:200], effective_date=effective_date,
                                 expiry_date=expiry_date, review_date=review_date,
                                 created_by=actor if getattr(actor, "is_authenticated", False) else None)
        # The policy decides who may create: one of the two parties' administrators (raising rolls back).
        if getattr(actor, "is_authenticated", False) and not may_do(mou, actor, "change"):
            raise MouError("only the agency's administrator or the district's safety director may draft its MOU",
                           field="agency", status=403)
        MouSection.objects.bulk_create(MouSection(mou=mou, key=key, position=i, text=STARTING_TEXT.get(key, ""))
                                       for i, (key, _) in enumerate(SECTIONS))
        record(actor, "sro.create_mou", mou, organization=_org(mou),
               summary={"agency": agency.pk, "district": district.pk, "title": mou.title,
                        "effective_date": effective_date, "expiry_date": expiry_date, "review_date": review_date})
    return mou


def do_change_mou_section(actor: Any, mou: Mou, *, key: str, text: str) -> MouSection:
    """Replace one section's text (a draft or an MOU in review)."""
    if key not in SECTION_HEADINGS:
        raise MouError(f"no section {key!r}; the sections are {', '.join(SECTION_HEADINGS)}", field="key")
    with transaction.atomic():
        mou = Mou.objects.select_for_update().get(pk=mou.pk)
        _require_change(actor, mou)
        _require_unsigned(mou)
        section = MouSection.objects.get(mou=mou, key=key)
        changed = section.text != text
        section.text = text
        section.save(update_fields=["text"])
        mou.save(update_fields=["updated_at"])
        record(actor, "sro.change_mou_section", mou, organization=_org(mou),
               summary={"section": key, "changed": changed, "length": len(text)})
    return section


def do_add_signatory(actor: Any, mou: Mou, *, name: str, title: str, side: str,
                     signed_on: dt.date | None = None) -> MouSignatory:
    """Add a person who signs for the agency or the district, with the date they signed."""
    name, title = (name or "").strip(), (title or "").strip()
    if not name:
        raise MouError("a signatory needs a name", field="name")
    if not title:
        raise MouError("a signatory needs a title", field="title")
    if side not in MouSignatory.Side.values:
        raise MouError("side is 'agency' or 'district'", field="side")
    if signed_on is not None and signed_on > timezone.localdate():
        raise MouError("the date signed is in the future", field="signed_on", status=422)
    with transaction.atomic():
        mou = Mou.objects.select_for_update().get(pk=mou.pk)
        _require_change(actor, mou)
        _require_unsigned(mou)
        signatory = MouSignatory.objects.create(mou=mou, name=name[:200], title=title[:200], side=side,
                                                signed_on=signed_on)
        record(actor, "sro.add_signatory", mou, organization=_org(mou),
               summary={"name": signatory.name, "title": signatory.title, "side": side, "signed_on": signed_on})
    return signatory


def do_mark_mou_signed(actor: Any, mou: Mou) -> Mou:
    """Mark the MOU signed: its roles section must carry the discipline statement, and each side must have a
    signatory who signed. A signed MOU of the same agency and district before it becomes superseded."""
    with transaction.atomic():
        mou = Mou.objects.select_for_update().get(pk=mou.pk)
        _require_change(actor, mou)
        _require_unsigned(mou)
        roles = MouSection.objects.filter(mou=mou, key="roles").values_list("text", flat=True).first() or ""
        if not has_discipline_statement(roles):
            raise MouError(f"the roles and responsibilities section must state that SROs do not administer school "
                           f"discipline (the words \"{DISCIPLINE_STATEMENT}\")", field="sections", status=422)
        sides = set(mou.signatories.filter(signed_on__isnull=False).values_list("side", flat=True))
        missing = [s.label.lower() for s in MouSignatory.Side if s.value not in sides]
        if missing:
            raise MouError(f"no signatory with a date signed for the {' and the '.join(missing)}",
                           field="signatories", status=422)
        superseded = list(Mou.objects.filter(agency_id=mou.agency_id, district_id=mou.district_id,
                                             status=Mou.Status.SIGNED).exclude(pk=mou.pk).values_list("pk", flat=True))
        Mou.objects.filter(pk__in=superseded).update(status=Mou.Status.SUPERSEDED)
        mou.status, mou.signed_at = Mou.Status.SIGNED, timezone.now()
        mou.save(update_fields=["status", "signed_at", "updated_at"])
        record(actor, "sro.mark_mou_signed", mou, organization=_org(mou), summary={"superseded": superseded})
    return mou


def _check_pdf(data: bytes) -> int:
    """The number of pages of `data` if it is a PDF that pypdf can read, else MouError."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise MouError("the signed file must be a PDF", field="signed_file", status=422)
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise MouError(f"the signed file is not a readable PDF ({type(exc).__name__})", field="signed_file",
                       status=422) from exc
    if pages < 1:
        raise MouError("the signed file has no pages", field="signed_file", status=422)
    return pages


def do_attach_signed_file(actor: Any, mou: Mou, *, name: str, data: bytes) -> Mou:
    """Keep the scanned, signed MOU (a PDF of at most 10 MB) in media storage; it is served only through the
    access-checked download (views and API)."""
    if not data:
        raise MouError("choose the signed PDF", field="signed_file")
    if len(data) > MAX_SIGNED_FILE_BYTES:
        raise MouError(f"the signed file is larger than {MAX_SIGNED_FILE_BYTES // (1024 * 1024)} MB",
                       field="signed_file", status=413)
    pages = _check_pdf(data)
    shown = re.sub(r"[^\w .()-]", "_", (name or "signed.pdf").rsplit("/", 1)[-1])[:150] or "signed.pdf"
    with transaction.atomic():
        mou = Mou.objects.select_for_update().get(pk=mou.pk)
        _require_change(actor, mou)
        old = mou.signed_file.name if mou.signed_file else ""
        # The stored name is ours (the MOU's id), never the uploader's: no path from the outside reaches storage.
        mou.signed_file.save(f"mou-{mou.pk}-signed.pdf", ContentFile(data), save=False)
        mou.signed_file_name = shown
        mou.save(update_fields=["signed_file", "signed_file_name", "updated_at"])
        record(actor, "sro.attach_signed_file", mou, organization=_org(mou),
               summary={"name": shown, "bytes": len(data), "pages": pages, "replaced": bool(old)})
        if old and old != mou.signed_file.name:
            storage, stale = mou.signed_file.storage, old
            transaction.on_commit(lambda: storage.delete(stale))
    return mou


# --- review reminders (the worker: sro/tasks.py) -----------------------------------------------------------


def _recipients(mou: Mou) -> list[str]:
    from schoolsafe.accounts.models import User

    people = User.objects.filter(Q(memberships__agency_id=mou.agency_id, memberships__role="agency_admin")
                                 | Q(memberships__district_id=mou.district_id, memberships__role="district_director"),
                                 is_active=True).exclude(email="").distinct()
    return sorted({u.email for u in people})


def _remind(mou: Mou, stage: str) -> None:
    review = mou.review_date
    assert review is not None  # the scan filters review_date__isnull=False
    subject = (f"MOU review due today: {mou.title}" if stage == "due"
               else f"MOU review in 30 days: {mou.title}")
    data = {"mou_id": mou.pk, "title": mou.title, "stage": stage, "review_date": review.isoformat(),
            "agency": mou.agency.name, "district": mou.district.name}
    audience = [f"agency:{mou.agency_id}:agency_admin", f"district:{mou.district_id}:district_director"]
    emit_event("sro.mou_review_due", data, audience, subject=mou,
               context={"organizations": [str(OrgKey.agency(mou.agency_id)), str(OrgKey.district(mou.district_id))],
                        "mou": mou})
    record("schoolsafe worker", "sro.send_mou_review_reminder", mou, organization=_org(mou),
           summary={"stage": stage, "review_date": review})
    recipients = _recipients(mou)
    if recipients:
        body = (f"The memorandum of understanding \"{mou.title}\" between {mou.agency.name} and {mou.district.name} "
                f"is due for review on {review:%B %d, %Y}.\n\nOpen it in SchoolSafe (SRO program, MOUs), agree the "
                f"changes with the other party and sign a new version before it expires"
                f"{f' on {mou.expiry_date:%B %d, %Y}' if mou.expiry_date else ''}.\n")
        mail = queue_mail("sro.mou_review_reminder", subject, body, recipients)
        transaction.on_commit(functools.partial(attempt_mail, mail.pk))


def do_send_mou_review_reminders(today: dt.date | None = None) -> int:
    """Remind both parties of each signed MOU whose review date is 30 days away, and again when it is
    reached: once per stage and review date, claimed by a conditional UPDATE so that two workers never send
    the same reminder. Also marks expired the signed MOUs past their expiry date. Returns reminders sent."""
    today = today or timezone.localdate()
    Mou.objects.filter(status=Mou.Status.SIGNED, expiry_date__lt=today).update(status=Mou.Status.EXPIRED)
    sent = 0
    due = (Mou.objects.filter(status=Mou.Status.SIGNED, review_date__isnull=False, review_date__lte=today + REVIEW_SOON)
           .select_related("agency", "district").order_by("review_date", "pk"))
    for mou in due:
        review = mou.review_date
        assert review is not None
        stages = ["due"] if review <= today else ["soon"]
        for stage in stages:
            field = "reminded_due_for" if stage == "due" else "reminded_soon_for"
            with transaction.atomic():
                claimed = Mou.objects.filter(Q(**{f"{field}__isnull": True}) | ~Q(**{field: F("review_date")}),
                                             pk=mou.pk, review_date=review).update(**{field: review})
                if not claimed:
                    continue
                if stage == "due":
                    # Reached without a "30 days" reminder (the MOU was signed late): that stage is past, not owed.
                    Mou.objects.filter(pk=mou.pk).update(reminded_soon_for=review)
                _remind(mou, stage)
            sent += 1
    return sent
