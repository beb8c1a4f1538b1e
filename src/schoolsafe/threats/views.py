"""Threat-assessment pages: the team's dashboard, the staff referral form, a case and its CSTAG steps,
teams, de-identified reports.

Every page loads through `reads` (policy + audit) and every form calls one action. A refused step
re-renders the case with the error next to the form (400 for bad input, 409 for a step out of order).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schoolsafe.access.loaders import NotVisible, get_or_404, may_do
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.accounts.models import User
from schoolsafe.threats import actions, policies, reads, reports, steps
from schoolsafe.threats.actions import NotFound, ThreatError
from schoolsafe.threats.models import (
    THEMES,
    Case,
    ClosureOutcome,
    Finding,
    HowReceived,
    LegalBasis,
    Mode,
    NotificationRecipient,
    PersonKind,
    Stage,
    Step,
    Team,
    TeamRole,
)

INTAKE_CHOICES = {
    "person_kinds": PersonKind.choices,
    "how_received_choices": HowReceived.choices,
    "modes": Mode.choices,
}


def _intake_from(post: Any) -> dict[str, Any]:
    return {name: post.get(name, "") for name in actions.INTAKE_FIELDS}


# --- dashboard -----------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The cases this user may see (open first) and the follow-ups that are overdue."""
    show = request.GET.get("show", "open")
    cases = reads.visible_cases(request.user).annotate(
        overdue=Count("follow_ups", filter=Q(follow_ups__due_on__lt=timezone.localdate(),
                                             follow_ups__completed_at__isnull=True,
                                             follow_ups__cancelled_at__isnull=True)),
    )
    if show == "open":
        cases = cases.exclude(stage=Stage.CLOSED)
    elif show == "closed":
        cases = cases.filter(stage=Stage.CLOSED)
    cases = list(cases.order_by("-opened_at", "-pk")[:200])
    overdue = list(reads.overdue_follow_ups(request.user).order_by("due_on", "pk"))
    reads.audit_case_list(request.user, cases, via="dashboard")
    return render(request, "threats/dashboard.html", {
        "cases": cases, "overdue": overdue, "show": show,
        "seats": policies.seats(request.user),
        "coordinator": bool(policies.coordinated_districts(request.user)),
        "may_refer": policies.schools_for(request.user, "refer").exists(),
        "teams": Team.objects.filter(pk__in=[s["team_id"] for s in policies.seats(request.user)]),
    })


# --- intake --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """The staff referral form: any adult of a school tells its team about a concerning behaviour."""
    schools = policies.schools_for(request.user, "refer").order_by("name")
    error, status = None, 200
    if request.method == "POST":
        try:
            actions.do_refer_concern(request.user, _int(request.POST.get("school"), "school"),
                                     **_intake_from(request.POST))
        except NotFound:
            error, status = ThreatError("Choose one of your schools.", "school"), 400
        except ThreatError as exc:
            error, status = exc, exc.status
        else:
            return redirect("threats:referred")
    return render(request, "threats/refer.html", {
        "schools": schools, "error": error, "posted": request.POST, **INTAKE_CHOICES,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }, status=status)


@login_required
def referred(request: HttpRequest) -> HttpResponse:
    return render(request, "threats/referred.html")


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A team member opens a case directly."""
    seats = policies.seats(request.user)
    teams = Team.objects.filter(Q(pk__in=[s["team_id"] for s in seats])
                                | Q(district_id__in=policies.coordinated_districts(request.user)))
    teams = teams.select_related("school", "district").order_by("name")
    if not teams:
        raise NotVisible()
    error, status = None, 200
    if request.method == "POST":
        try:
            case = actions.do_open_case(request.user, _int(request.POST.get("team"), "team"),
                                        school=_int(request.POST["school"], "school") if request.POST.get("school") else None,
                                        **_intake_from(request.POST))
        except NotFound:
            error, status = ThreatError("Choose one of your teams.", "team"), 400
        except ThreatError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, f"Case {case.number} opened. Next: step 1, evaluate the threat.")
            return redirect("threats:case", case_id=case.pk)
    from schoolsafe.core.models import School

    district_teams = [t.district_id for t in teams if not t.school_id]
    return render(request, "threats/case_new.html", {
        "teams": teams, "error": error, "posted": request.POST, **INTAKE_CHOICES,
        "district_schools": School.objects.filter(district_id__in=district_teams).order_by("name"),
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }, status=status)


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ThreatError("Choose one.", field) from None


# --- a case --------------------------------------------------------------------------------------


OUTCOME_LABELS = {
    "evaluated": "evaluated", "transient": "transient", "substantive": "substantive", "serious": "serious",
    "very_serious": "very serious", "completed": "completed", "plan_adopted": "plan adopted",
    "monitoring_continues": "monitoring continues", "no_further_check_scheduled": "no further check scheduled",
    **{value: str(label).lower() for value, label in ClosureOutcome.choices},
}
DETAIL_LABELS = {
    "person_interview": "Interview of the person of concern", "witness_interviews": "Witness interviews",
    "target_interviews": "Interviews of the targets", "records_reviewed": "Records reviewed",
    "resolution": "How it was resolved", "in_doubt": "Team in doubt", "protective_actions": "Protective actions",
    "mental_health_assessment": "Mental-health assessment", "law_enforcement_investigation": "Law-enforcement investigation",
    "interim_measures": "Interim measures", "interventions": "Interventions", "responsible": "Responsible",
    "monitoring_schedule": "Monitoring schedule", "monitoring_dates": "Monitoring dates", "due_on": "Follow-up due",
    "next_due_on": "Next follow-up", "follow_ups_cancelled": "Pending follow-ups cancelled",
}


def _decision_rows(case: Case) -> list[dict[str, Any]]:
    """Decisions as the page shows them: outcome and details in words (ids and flags left out)."""
    rows = []
    for d in case.decisions.select_related("decided_by"):
        details = []
        for key, value in d.details.items():
            if key not in DETAIL_LABELS or value in ("", None, [], False, 0):
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            details.append((DETAIL_LABELS[key], "yes" if value is True else value))
        rows.append({"decision": d, "outcome": OUTCOME_LABELS.get(d.outcome, d.outcome), "details": details})
    return rows


def _case_page(request: HttpRequest, case: Case, *, error: ThreatError | None = None, form: str = "",
               status: int = 200) -> HttpResponse:
    findings = {t.theme: t for t in case.themes.all()}
    members = list(case.team.active_members())
    follow_ups = list(case.follow_ups.select_related("responsible", "completed_by"))
    taken = set(case.decisions.values_list("step", flat=True))
    progress = steps.progress(case.stage, taken)
    return render(request, "threats/case_detail.html", {
        "case": case,
        "progress": progress,
        "decisions": _decision_rows(case),
        "themes": [{"code": code, "label": label, "question": question, "entry": findings.get(code)}
                   for code, label, question in THEMES],
        "notifications": case.notifications.select_related("notified_by"),
        "plan": getattr(case, "safety_plan", None),
        "follow_ups": follow_ups,
        "notes": reads.visible_notes(request.user, case, via="page"),
        "disclosures": case.disclosures.select_related("disclosed_by"),
        "members": members,
        "may_write_clinical": reads.may_write_clinical(request.user, case),
        # The refused form gets back what was typed; the others stay empty.
        "error": error, "form": form.replace("-", "_"), "posted": {form.replace("-", "_"): request.POST} if error else {},
        "findings": Finding.choices[1:],
        "recipients": NotificationRecipient.choices,
        "legal_bases": LegalBasis.choices,
        "outcomes": ClosureOutcome.choices,
        "today": timezone.localdate().isoformat(),
        "notification_rows": range(3),
        **INTAKE_CHOICES,
    }, status=status)


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = reads.load_case(request.user, case_id, via="page")
    return _case_page(request, case)


def _run(request: HttpRequest, case_id: int, form: str, call: Any, done: str) -> HttpResponse:
    """Call one action for a case form; on refusal show the case again with the error at the form."""
    policies.access_case(request.user, case_id, "change")
    try:
        call()
    except NotFound:
        raise NotVisible() from None
    except ThreatError as exc:
        case = reads.load_case(request.user, case_id, via="page")
        return _case_page(request, case, error=exc, form=form, status=exc.status)
    messages.success(request, done)
    return redirect(reverse("threats:case", args=[case_id]) + f"#{form}")


# The case page's forms that are not CSTAG steps (those are in steps.py): what each calls, and the message.
CASE_FORMS: dict[str, tuple[Callable[[Any, int, Any], Any], str]] = {
    "themes": (lambda user, case_id, p: actions.do_record_themes(user, case_id, {
        code: {"finding": p.get(f"finding_{code}", ""), "notes": p.get(f"notes_{code}", "")}
        for code, _, _ in THEMES}), "Investigative themes saved."),
    "notes": (lambda user, case_id, p: actions.do_add_note(user, case_id, text=p.get("text", ""),
                                                           clinical=p.get("clinical") == "on"), "Note added."),
    "notifications": (lambda user, case_id, p: actions.do_record_notification(
        user, case_id, recipient=p.get("recipient", ""), name=p.get("name", ""), method=p.get("method", ""),
        notified_at=p.get("notified_at", "")), "Notification recorded."),
    "disclosures": (lambda user, case_id, p: actions.do_record_disclosure(
        user, case_id, recipients=p.get("recipients", ""), legal_basis=p.get("legal_basis", ""),
        basis_detail=p.get("basis_detail", ""), information=p.get("information", ""),
        disclosed_at=p.get("disclosed_at", "")), "Disclosure logged."),
    "intake": (lambda user, case_id, p: actions.do_update_intake(
        user, case_id, **{k: v for k, v in _intake_from(p).items() if k in p}), "Intake updated."),
}


@login_required
@require_http_methods(["GET", "POST"])
def case_step(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    """Record the case's next CSTAG step (steps.py), or one of its other forms, from the case page (a GET, say
    a reload after a refusal, goes to the case). The follow-up step has its own URL, naming the follow-up."""
    if request.method == "GET":
        return redirect("threats:case", case_id=case_id)
    p, user = request.POST, request.user
    cstag = steps.by_spelling(step)
    if cstag is not None and cstag.name != Step.FOLLOW_UP:
        return _run(request, case_id, cstag.slug, lambda: cstag.record(user, case_id, **cstag.form_inputs(p)),
                    cstag.done)
    if step not in CASE_FORMS:
        raise NotVisible()
    call, done = CASE_FORMS[step]
    return _run(request, case_id, step, lambda: call(user, case_id, p), done)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    """Record one monitoring check of the safety plan."""
    if request.method == "GET":
        return redirect("threats:case", case_id=case_id)
    policies.access_follow_up(request.user, case_id, follow_up_id, "change")
    step = steps.FOLLOW_UP
    return _run(request, case_id, "follow-ups", lambda: step.record(
        request.user, case_id, **{**step.form_inputs(request.POST), "follow_up_id": follow_up_id}), step.done)


@login_required
def note_detail(request: HttpRequest, case_id: int, note_id: int) -> HttpResponse:
    note = reads.load_note(request.user, case_id, note_id, via="page")
    return render(request, "threats/note_detail.html", {"note": note, "case": note.case})


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, case_id: int) -> HttpResponse:
    """Export one case as JSON for a records request (the request's reference is required)."""
    case = policies.access_case(request.user, case_id)
    error = None
    if request.method == "POST":
        reference = request.POST.get("request_reference", "").strip()
        if reference and len(reference) <= 100:
            document = reads.export_case(request.user, case, request_reference=reference, via="page")
            response = HttpResponse(json.dumps(document, indent=2, cls=DjangoJSONEncoder, ensure_ascii=False),
                                    content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{case.number}.json"'
            response["Cache-Control"] = "no-store"
            return response
        error = "The records request's reference is required (at most 100 characters)."
    return render(request, "threats/export.html", {"case": case, "error": error}, status=400 if error else 200)


# --- teams ---------------------------------------------------------------------------------------


def _creatable_places(user: Any) -> list[tuple[str, str]]:
    """(value, label) of the schools and districts where `user` may set a team up and none exists yet."""
    from schoolsafe.core.models import District, School

    school_ids, districts = policies.team_founders(user)
    schools = School.objects.filter(Q(pk__in=school_ids) | Q(district_id__in=districts)).exclude(
        threat_teams__isnull=False).order_by("name")
    places = [(str(OrgKey.of(d)), f"{d.name} (district team)")
              for d in District.objects.filter(pk__in=districts).exclude(
                  pk__in=Team.objects.filter(school__isnull=True).values("district_id")).order_by("name")]
    return places + [(str(OrgKey.of(s)), s.name) for s in schools]


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    places = _creatable_places(request.user)
    error, status = None, 200
    if request.method == "POST":
        from schoolsafe.core.models import District, School

        kind, _, pk = request.POST.get("place", "").partition(":")
        try:
            name = request.POST.get("name", "")
            if kind == "school":
                school = get_or_404(School.objects.all(), request.user, pk=_int(pk, "place"))
                team = actions.do_create_team(request.user, school=school, name=name)
            elif kind == "district":
                district = get_or_404(District.objects.all(), request.user, pk=_int(pk, "place"))
                team = actions.do_create_team(request.user, district=district, name=name)
            else:
                raise ThreatError("Choose a school or district.", "place")
        except NotFound:
            raise NotVisible() from None
        except ThreatError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, f"{team.name} set up. Add its members.")
            return redirect("threats:team", team_id=team.pk)
    visible = Team.objects.restrict(request.user, "view").select_related("school", "district").annotate(
        size=Count("members", filter=Q(members__removed_at__isnull=True)))
    return render(request, "threats/teams.html", {"teams": visible, "places": places, "error": error},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = policies.access_team(request.user, team_id, "change" if request.method == "POST" else "view")
    may_change = request.method == "POST" or may_do(team, request.user, "change")
    error, status = None, 200
    if request.method == "POST":
        try:
            user = User.objects.filter(pk=request.POST.get("user") or 0, is_active=True).first()
            actions.do_add_team_member(request.user, team, user, request.POST.get("team_role", ""),
                                       is_lead=request.POST.get("is_lead") == "on")
        except ThreatError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, f"{user} added to the team.")
            return redirect("threats:team", team_id=team.pk)
    seated = team.members.filter(removed_at__isnull=True).values("user_id")
    place = Q(memberships__district_id=team.district_id)
    if team.school_id:
        place |= Q(memberships__school_id=team.school_id)
    candidates = User.objects.filter(
        Q(memberships__role="ta_member") & place, is_active=True,
    ).exclude(pk__in=seated).distinct().order_by("full_name", "username") if may_change else []
    return render(request, "threats/team_detail.html", {
        "team": team, "members": team.active_members(), "may_change": may_change, "candidates": candidates,
        "team_roles": TeamRole.choices, "error": error, "roster_changes": roster_changes(team),
    }, status=status)


ROSTER_ACTIONS = {"threats.member_added": "added", "threats.member_removed": "removed",
                  "threats.lead_set": "made team lead"}


def roster_changes(team: Team, limit: int = 20) -> list[dict[str, Any]]:
    """The latest changes to the team's seats, from the audit log, so every member sees who changed the
    roster (a seat decides who reads the cases and the clinical notes)."""
    from schoolsafe.audit.models import AuditEntry

    member_ids = [str(pk) for pk in team.members.values_list("pk", flat=True)]
    rows = AuditEntry.objects.filter(object_type="threats.teammember", object_id__in=member_ids,
                                     action__in=list(ROSTER_ACTIONS)).order_by("-id")[:limit]
    return [{"at": row.at, "by": row.actor_name or "system", "what": ROSTER_ACTIONS[row.action],
             "who": row.summary.get("user", ""),
             "discipline": TeamRole(row.summary["team_role"]).label if row.summary.get("team_role") in TeamRole.values else ""}
            for row in rows]


@login_required
@require_POST
def team_member(request: HttpRequest, team_id: int, member_id: int, what: str) -> HttpResponse:
    member = policies.access_team_member(request.user, team_id, member_id, "change")
    try:
        if what == "lead":
            actions.do_set_team_lead(request.user, member)
            messages.success(request, f"{member.user} now leads the team.")
        elif what == "remove":
            actions.do_remove_team_member(request.user, member)
            messages.success(request, f"{member.user} removed from the team.")
        else:
            raise NotVisible()
    except NotFound:
        raise NotVisible() from None
    return redirect("threats:team", team_id=team_id)


# --- reports -------------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """De-identified counts per school for one school year, small counts suppressed."""
    schools = list(policies.schools_for(request.user, "report").order_by("name"))
    if not schools:
        raise NotVisible()
    current = reports.school_year()
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        year = current
    year = min(max(year, 2000), current)
    return render(request, "threats/report.html", {
        "rows": reports.counts_for(schools, year), "year": year, "years": range(current, current - 6, -1),
        "threshold": reports.SUPPRESS_BELOW,
        "classifications": reports.CLASSIFICATIONS, "outcomes": reports.OUTCOMES,
        "decision_times": reports.DECISION_TIMES,
    })
