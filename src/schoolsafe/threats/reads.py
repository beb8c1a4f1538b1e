"""Reading threat-assessment records: every load goes through the policy and every look is audited.

Pages and the API both load cases, notes and exports here, so "every view of a case, of a note and of
an export is audited" holds in one place. Loading goes through the policies' loaders: an invisible object
is a 404, a visible one the user may not act on a 403 (schoolsafe/access/loaders.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from schoolsafe.audit.log import record, record_read
from schoolsafe.threats import policies
from schoolsafe.threats.models import THEMES, Case, FollowUp, Note, Stage


def audit_read(user: Any, obj: models.Model, organization: str, **summary: Any) -> None:
    """A sensitive read, in the audit log (the audit app's record_read)."""
    record_read(user, obj, organization=organization, summary=summary)


def visible_cases(user: Any) -> models.QuerySet:
    return Case.objects.restrict(user, "view").select_related("team", "school")


def load_case(user: Any, case_id: int, *, via: str) -> Case:
    """The case if `user` may see it (audited as a read); 404 otherwise."""
    case = policies.access_case(user, case_id)
    audit_read(user, case, case.organization, case=case.number, via=via)
    return case


def audit_case_list(user: Any, cases: Iterable[Case], *, via: str) -> None:
    """A list that shows cases (with the person's name) is a look at each: one row names them all."""
    numbers = [c.number for c in cases]
    if numbers:
        record(user, "threats.read_case_list", object_type="threats.case", summary={"cases": numbers, "via": via})


def visible_notes(user: Any, case: Case, *, via: str) -> list[Note]:
    """The notes of `case` this user may read (clinical ones only for mental-health members), each audited."""
    notes = list(Note.objects.restrict(user, "view").filter(case=case).select_related("author"))
    for note in notes:
        audit_read(user, note, case.organization, case=case.number, clinical=note.clinical, via=via)
    return notes


def load_note(user: Any, case_id: int, note_id: int, *, via: str) -> Note:
    note = policies.access_note(user, case_id, note_id)
    audit_read(user, note, note.case.organization, case=note.case.number, clinical=note.clinical, via=via)
    return note


def may_write_clinical(user: Any, case: Case) -> bool:
    return policies.is_mental_health_member(user, case.team_id)


def overdue_follow_ups(user: Any) -> models.QuerySet:
    """Pending follow-ups past their date, on open cases this user may see."""
    return (FollowUp.objects.restrict(user, "view")
            .filter(due_on__lt=timezone.localdate(), completed_at__isnull=True, cancelled_at__isnull=True)
            .exclude(case__stage=Stage.CLOSED).select_related("case", "case__school", "responsible"))


def _person(user: Any) -> str:
    return getattr(user, "display_name", "") or str(user) if user else ""


def export_case(user: Any, case: Case, *, request_reference: str, via: str) -> dict[str, Any]:
    """The whole case as one JSON document for a records request; the export itself is audited.

    Clinical notes are in it only when a mental-health member of the team exports it.
    """
    notes = list(Note.objects.restrict(user, "view").filter(case=case).select_related("author"))
    themes = {t.theme: t for t in case.themes.all()}
    plan = getattr(case, "safety_plan", None)
    document: dict[str, Any] = {
        "export": {
            "case": case.number,
            "request_reference": request_reference,
            "exported_at": timezone.now().isoformat(),
            "exported_by": _person(user),
            "clinical_notes_included": may_write_clinical(user, case),
        },
        "case": {
            "number": case.number,
            "team": case.team.name,
            "school": case.school.name if case.school else None,
            "source": case.get_source_display(),
            "opened_at": case.opened_at.isoformat(),
            "stage": case.get_stage_display(),
            "classification": case.get_classification_display(),
            "resolution": case.resolution,
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "closure_outcome": case.get_closure_outcome_display(),
            "closure_reason": case.closure_reason,
        },
        "intake": {
            "person_of_concern": {"kind": case.get_person_kind_display(), "name": case.person_name,
                                  "grade": case.person_grade, "details": case.person_details},
            "reporter": {"name": case.reporter_name, "contact": case.reporter_contact},
            "occurred_at": case.occurred_at.isoformat(),
            "how_received": case.get_how_received_display(),
            "behaviour": case.behaviour,
            "mode": case.get_mode_display(),
            "targets": case.targets,
            "witnesses": case.witnesses,
            "context": case.context,
        },
        "decisions": [
            {"step": d.get_step_display(), "outcome": d.outcome, "rationale": d.rationale, "details": d.details,
             "decided_by": _person(d.decided_by), "decided_at": d.decided_at.isoformat()}
            for d in case.decisions.select_related("decided_by")
        ],
        "investigative_themes": [
            {"theme": label, "finding": themes[code].get_finding_display() if code in themes else "Not yet assessed",
             "notes": themes[code].notes if code in themes else ""}
            for code, label, _ in THEMES
        ],
        "notifications": [
            {"recipient": n.get_recipient_display(), "name": n.name, "method": n.method,
             "notified_at": n.notified_at.isoformat(), "notified_by": _person(n.notified_by)}
            for n in case.notifications.select_related("notified_by")
        ],
        "safety_plan": None if plan is None else {
            "interventions": plan.interventions, "responsible": _person(plan.responsible),
            "monitoring_schedule": plan.monitoring_schedule, "adopted_at": plan.adopted_at.isoformat(),
        },
        "follow_ups": [
            {"due_on": f.due_on.isoformat(), "responsible": _person(f.responsible),
             "completed_at": f.completed_at.isoformat() if f.completed_at else None, "summary": f.summary,
             "cancelled": f.cancelled_at is not None}
            for f in case.follow_ups.select_related("responsible")
        ],
        "disclosures": [
            {"recipients": d.recipients, "legal_basis": d.get_legal_basis_display(), "basis_detail": d.basis_detail,
             "information": d.information, "disclosed_at": d.disclosed_at.isoformat(),
             "disclosed_by": _person(d.disclosed_by)}
            for d in case.disclosures.select_related("disclosed_by")
        ],
        "notes": [
            {"written_at": n.written_at.isoformat(), "author": _person(n.author), "clinical": n.clinical, "text": n.text}
            for n in notes
        ],
    }
    record(user, "threats.case_exported", case, organization=case.organization,
           summary={"case": case.number, "request_reference": request_reference, "via": via,
                    "notes": len(notes), "clinical_notes_included": document["export"]["clinical_notes_included"]})
    return document
