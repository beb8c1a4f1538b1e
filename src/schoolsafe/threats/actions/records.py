"""What the team records beside the steps: investigative themes, notes, disclosures."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.threats import policies
from schoolsafe.threats.actions.common import (
    ThreatError,
    _case_for_change,
    _choice,
    _moment,
    _require_stage,
    _text,
)
from schoolsafe.threats.models import (
    THEMES,
    Case,
    Disclosure,
    Finding,
    LegalBasis,
    Note,
    Stage,
    ThemeAssessment,
)

THEME_CODES = [code for code, _, _ in THEMES]


@transaction.atomic
def do_record_themes(actor: Any, case: Case | int, entries: dict[str, dict[str, str]]) -> list[ThemeAssessment]:
    """Record the team's findings on the Secret Service investigative themes ({theme: {finding, notes}})."""
    case = _case_for_change(actor, case)
    _require_stage(case, *[s for s in Stage.values if s != Stage.CLOSED], doing="recording the investigative themes")
    changed = []
    for theme, entry in entries.items():
        if theme not in THEME_CODES:
            raise ThreatError(f"Unknown investigative theme: {theme}.", "theme")
        finding = _choice(entry.get("finding"), f"{theme}.finding", "The finding", Finding, required=False)
        notes = _text(entry.get("notes"), f"{theme}.notes", "Notes", required=False)
        current = ThemeAssessment.objects.filter(case=case, theme=theme).first()
        if current is not None and (current.finding, current.notes) == (finding, notes):
            continue
        if current is None and not finding and not notes:
            continue
        obj, _ = ThemeAssessment.objects.update_or_create(
            case=case, theme=theme,
            defaults={"finding": finding, "notes": notes, "updated_by": actor, "updated_at": timezone.now()},
        )
        changed.append(obj)
    if changed:
        record(actor, "threats.themes_recorded", case, organization=case.organization,
               summary={"case": case.number, "themes": [t.theme for t in changed]})
    return changed


@transaction.atomic
def do_add_note(actor: Any, case: Case | int, *, text: str, clinical: bool = False) -> Note:
    """A note on the case; a clinical note is written (and read) only by the team's mental-health members."""
    case = _case_for_change(actor, case)
    text = _text(text, "text", "The note")
    if clinical and not policies.is_mental_health_member(actor, case.team_id):
        raise ThreatError("Only the team's mental-health members write clinical notes.", "clinical")
    note = Note.objects.create(case=case, author=actor, text=text, clinical=bool(clinical))
    record(actor, "threats.note_added", note, organization=case.organization,
           summary={"case": case.number, "clinical": note.clinical})
    return note


# Bases under which the record must say what was relied on (34 CFR 99.32(a)(5) for an emergency).
_BASIS_NEEDS_DETAIL: dict[str, str] = {LegalBasis.HEALTH_SAFETY: "the articulable and significant threat",
                       LegalBasis.CONSENT: "whose consent, and when it was given",
                       LegalBasis.COURT_ORDER: "the order or subpoena",
                       LegalBasis.JUVENILE_JUSTICE: "the state law",
                       LegalBasis.STATE_LAW: "the law relied on"}


@transaction.atomic
def do_record_disclosure(
    actor: Any, case: Case | int, *, recipients: str, legal_basis: str, information: str,
    basis_detail: str = "", disclosed_at: Any = None,
) -> Disclosure:
    """Log information from the case shared outside the team, with its legal basis and recipients."""
    case = _case_for_change(actor, case)
    legal_basis = _choice(legal_basis, "legal_basis", "The legal basis", LegalBasis)
    needs = _BASIS_NEEDS_DETAIL.get(legal_basis)
    detail = _text(basis_detail, "basis_detail", f"The record of {needs}" if needs else "Detail", required=bool(needs))
    disclosure = Disclosure.objects.create(
        case=case,
        recipients=_text(recipients, "recipients", "The recipients"),
        legal_basis=legal_basis,
        basis_detail=detail,
        information=_text(information, "information", "What was shared"),
        disclosed_at=_moment(disclosed_at or timezone.now(), "disclosed_at", "When it was shared"),
        disclosed_by=actor,
    )
    record(actor, "threats.disclosure_recorded", disclosure, organization=case.organization,
           summary={"case": case.number, "legal_basis": legal_basis})
    return disclosure
