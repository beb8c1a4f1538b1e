"""Assignment, coverage and activity pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schoolsafe.access.loaders import may_do
from schoolsafe.access.policy import allowed_roles_for_label, may, reached_schools
from schoolsafe.accounts.models import Membership, User
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import Agency, School
from schoolsafe.sro import actions
from schoolsafe.sro.activity import month_report, parse_month
from schoolsafe.sro.coverage import DOUBLE, INSTRUCTION, TRAINING, load_week, training_label, week_start
from schoolsafe.sro.models import (
    ACTIVITY_KINDS,
    WEEKDAYS,
    ActivityReview,
    Assignment,
    AssignmentKind,
    AssignmentRole,
    TriadRole,
)
from schoolsafe.sro.policies import POLICE_LEADS, access_assignment, access_officer, agencies_where
from schoolsafe.sro.reads import training_status

# --- forms ---------------------------------------------------------------------------------------------------

BLOCK_LINE = re.compile(r"^\s*([A-Za-z]{3})[a-z]*\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def parse_schedule_text(text: str) -> list[dict[str, Any]]:
    """'Mon 07:30-14:30' per line -> blocks (the action checks them)."""
    blocks = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = BLOCK_LINE.match(line)
        if not match or match.group(1).title() not in WEEKDAYS:
            raise forms.ValidationError(f"line {n} ({line.strip()}) is not a weekday and hours, e.g. Mon 07:30-14:30")
        blocks.append({"weekday": WEEKDAYS.index(match.group(1).title()), "starts": match.group(2).zfill(5),
                       "ends": match.group(3).zfill(5)})
    return blocks


def schedule_text(assignment: Assignment) -> str:
    return "\n".join(f"{WEEKDAYS[b.weekday]} {b.starts:%H:%M}-{b.ends:%H:%M}" for b in assignment.blocks.all())


class AssignmentForm(forms.Form):
    person = forms.ChoiceField(help_text="An officer of the agency for an SRO or school safety officer.")
    kind = forms.ChoiceField(choices=AssignmentKind.choices, label="Type")
    school = forms.ChoiceField()
    agency = forms.ChoiceField()
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    role = forms.ChoiceField(choices=AssignmentRole.choices, label="Primary or relief")
    supervisor = forms.ChoiceField(required=False)
    schedule = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Weekly schedule",
        help_text="One block a line: a weekday and the hours, e.g. Mon 07:30-14:30.")

    def __init__(self, user: Any, *args: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_ids = sorted(agencies_where(user, POLICE_LEADS))
        agencies = Agency.objects.filter(pk__in=agency_ids).order_by("name")
        schools = School.objects.filter(agencies__in=agency_ids).distinct().order_by("name")
        people = User.objects.filter(is_active=True).filter(
            Q(memberships__agency_id__in=agency_ids) | Q(memberships__school__in=schools)).distinct().order_by(
            "full_name", "username")
        supervisors = User.objects.filter(memberships__role="police_supervisor",
                                          memberships__agency_id__in=agency_ids).distinct().order_by("full_name")
        choices(self, "agency").choices = [(a.pk, a.name) for a in agencies]
        choices(self, "school").choices = [("", "Choose a school")] + [(s.pk, s.name) for s in schools]
        choices(self, "person").choices = [("", "Choose a person")] + [(p.pk, p.full_name or p.username)
                                                                     for p in people]
        choices(self, "supervisor").choices = [("", "None")] + [(p.pk, p.full_name or p.username) for p in supervisors]
        if fixed:
            for name in ("person", "school", "agency"):
                del self.fields[name]

    def clean_schedule(self) -> list[dict[str, Any]]:
        return parse_schedule_text(self.cleaned_data.get("schedule") or "")


def choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _act(form: forms.Form, call: Any) -> Any:
    """Run the action; its refusal goes beside the field it names (or above the form)."""
    try:
        return call()
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        form.status = exc.status  # type: ignore[attr-defined]
        return None


# --- assignments ---------------------------------------------------------------------------------------------


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "sro.assignment", "view"):
        raise Http404
    today = timezone.localdate()
    rows = (Assignment.objects.restrict(request.user, "view").select_related("person", "school", "agency")
            .prefetch_related("blocks"))
    show_past = request.GET.get("show") == "all"
    if not show_past:
        rows = rows.exclude(end_date__lt=today)
    return render(request, "sro/assignment_list.html", {
        "assignments": rows, "show_past": show_past,
        "can_create": may(request.user, "sro.assignment", "change"), "today": today,
    })


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "sro.assignment", "change"):
        raise PermissionDenied("You may not post people to schools.")
    form = AssignmentForm(request.user, request.POST or None,
                          initial={"start_date": timezone.localdate(), "role": "primary", "kind": "sro"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = _act(form, lambda: actions.do_create_assignment(
            request.user, person=data["person"], school=data["school"], agency=data["agency"],
            kind=data["kind"], start_date=data["start_date"], end_date=data["end_date"], role=data["role"],
            supervisor=data["supervisor"] or None, schedule=data["schedule"]))
        if assignment is not None:
            return redirect("sro:assignment", assignment.pk)
    status = getattr(form, "status", 400) if request.method == "POST" else 200
    return render(request, "sro/assignment_form.html", {"form": form, "title": "New assignment"}, status=status)


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id)
    return render(request, "sro/assignment_detail.html", {
        "assignment": assignment, "can_change": may_do(assignment, request.user, "change"),
        "training": training_label(training_status(assignment.person, assignment.kind)),
        "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assignment_change(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id, "change")
    initial = {"kind": assignment.kind, "start_date": assignment.start_date, "end_date": assignment.end_date,
               "role": assignment.role, "supervisor": assignment.supervisor_id or "",
               "schedule": schedule_text(assignment)}
    form = AssignmentForm(request.user, request.POST or None, initial=initial, fixed=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _act(form, lambda: actions.do_change_assignment(
            request.user, assignment, kind=data["kind"], start_date=data["start_date"], end_date=data["end_date"],
            role=data["role"], supervisor=data["supervisor"] or None, schedule=data["schedule"]))
        if done is not None:
            return redirect("sro:assignment", assignment.pk)
    status = getattr(form, "status", 400) if request.method == "POST" else 200
    return render(request, "sro/assignment_form.html", {
        "form": form, "assignment": assignment, "title": f"Change the assignment of {assignment.person}"},
        status=status)


class EndForm(forms.Form):
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Last day")


@login_required
@require_POST
def assignment_end(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id, "change")
    form = EndForm(request.POST)
    if form.is_valid() and _act(form, lambda: actions.do_end_assignment(
            request.user, assignment, form.cleaned_data["end_date"])) is not None:
        return redirect("sro:assignment", assignment.pk)
    return render(request, "sro/assignment_detail.html", {
        "assignment": assignment, "can_change": True, "end_form": form,
        "training": training_label(training_status(assignment.person, assignment.kind)),
        "today": timezone.localdate()}, status=getattr(form, "status", 400))


# --- coverage ------------------------------------------------------------------------------------------------


def _week(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        return week_start(dt.date.fromisoformat(raw)) if raw else week_start(timezone.localdate())
    except ValueError:
        raise ActionError(f"{raw!r} is not a date (YYYY-MM-DD)", field="week") from None


def _coverage_context(request: HttpRequest) -> dict[str, Any]:
    if not may(request.user, "core.school", "sro_coverage"):
        raise Http404
    week = _week(request)
    coverage = load_week(request.user, week)
    names = {s.id: s.name for s in coverage.schools}
    hours_schools = set(reached_schools(request.user, allowed_roles_for_label("sro.instructionhours", "change"))
                        .values_list("pk", flat=True))
    rows = []
    for school in coverage.schools:
        cells = []
        for weekday in coverage.weekdays:
            window = coverage.instruction[school.id].get(weekday)
            cells.append({
                "weekday": weekday, "entries": coverage.cells.get((school.id, weekday), []),
                "gaps": coverage.gaps_for(school.id, weekday),
                "instruction": f"{window[0]:%H:%M}–{window[1]:%H:%M}" if window else "",
            })
        rows.append({"school": school, "cells": cells, "status": coverage.status(school.id),
                     "may_set_hours": school.id in hours_schools,
                     "gaps": coverage.gaps_for(school.id)})
    return {
        "coverage": coverage, "rows": rows, "week": coverage.week,
        "days": [(d, WEEKDAYS[d], coverage.day(d)) for d in coverage.weekdays],
        "previous": coverage.week - dt.timedelta(days=7), "next": coverage.week + dt.timedelta(days=7),
        "coverage_gaps": [{"school": names[g.school_ids[0]], "reason": g.reason}
                          for g in coverage.gaps if g.kind == INSTRUCTION],
        "doubles": [g for g in coverage.gaps if g.kind == DOUBLE],
        "training": [g for g in coverage.gaps if g.kind == TRAINING],
    }


@login_required
def coverage_board(request: HttpRequest) -> HttpResponse:
    return render(request, "sro/coverage_board.html", _coverage_context(request))


@login_required
def coverage_map(request: HttpRequest) -> HttpResponse:
    context = _coverage_context(request)
    placed = [r for r in context["rows"] if r["school"].latitude is not None]
    features = [{
        "type": "Feature",
        "properties": {"name": r["school"].name, "status": r["status"],
                       "label": f"{r['school'].name}: {'covered' if r['status'] == 'covered' else 'gap'}"},
        "geometry": {"type": "Point", "coordinates": [r["school"].longitude, r["school"].latitude]},
    } for r in placed]
    center = ([sum(r["school"].latitude for r in placed) / len(placed),
               sum(r["school"].longitude for r in placed) / len(placed)] if placed else None)
    context["map_data"] = {"center": center, "features": features, "tiles": settings.SCHOOLSAFE_TILE_URL,
                           "attribution": settings.SCHOOLSAFE_TILE_ATTRIBUTION}
    return render(request, "sro/coverage_map.html", context)


class HoursForm(forms.Form):
    hours = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Instruction hours",
        help_text="One weekday a line, e.g. Mon 07:30-14:30. Leave empty for the default week (Mon–Fri "
                  "07:30–14:30).")

    def clean_hours(self) -> list[dict[str, Any]]:
        return parse_schedule_text(self.cleaned_data.get("hours") or "")


@login_required
@require_http_methods(["GET", "POST"])
def coverage_hours(request: HttpRequest, school_id: int) -> HttpResponse:
    """A school's instruction hours, which the coverage board measures its postings against."""
    from schoolsafe.core.policies import access_school
    from schoolsafe.sro.models import InstructionHours

    school = access_school(request.user, school_id, "sro.instructionhours", "change")
    rows = InstructionHours.objects.filter(school=school)
    current = "\n".join(f"{WEEKDAYS[r.weekday]} {r.starts:%H:%M}-{r.ends:%H:%M}" for r in rows)
    form = HoursForm(request.POST or None, initial={"hours": current})
    status = 200
    if request.method == "POST":
        if form.is_valid() and _act(form, lambda: actions.do_set_instruction_hours(
                request.user, school, form.cleaned_data["hours"])) is not None:
            return redirect(f"{reverse('sro:coverage')}")
        status = getattr(form, "status", 400)
    return render(request, "sro/coverage_hours.html", {"form": form, "school": school}, status=status)


# --- the activity log ----------------------------------------------------------------------------------------

ROLE_KINDS = {role: [(k, label, minutes) for k, (r, label, minutes) in ACTIVITY_KINDS.items() if r == role]
              for role in TriadRole.values}


def current_school(user: Any, now: dt.datetime | None = None) -> School | None:
    """The school of the officer's assignment at this hour today, else of any block today, else of any current
    assignment, else the first school they reach as an officer."""
    now = timezone.localtime(now)
    today, moment = now.date(), now.time()
    current = (Assignment.objects.filter(person=user, start_date__lte=today)
               .exclude(end_date__lt=today).select_related("school").prefetch_related("blocks")
               .order_by("role", "start_date"))
    todays = [(a, b) for a in current for b in a.blocks.all() if b.weekday == today.weekday()]
    for assignment, block in todays:
        if block.starts <= moment < block.ends:
            return assignment.school
    if todays:
        return todays[0][0].school
    first = current.first()
    if first is not None:
        return first.school
    return _loggable_schools(user).first()


def _loggable_schools(user: Any) -> Any:
    return reached_schools(user, allowed_roles_for_label("sro.activityentry", "log")).order_by("name")


class QuickEntryForm(forms.Form):
    students_reached = forms.IntegerField(min_value=0, max_value=10000, label="Students reached",
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    minutes = forms.IntegerField(min_value=0, max_value=24 * 60, label="Minutes")
    school = forms.ChoiceField()
    note = forms.CharField(required=False, max_length=500, label="Note")

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices(self, "school").choices = [(s.pk, s.name) for s in _loggable_schools(user)]


@login_required
@require_http_methods(["GET", "POST"])
def activity_quick(request: HttpRequest) -> HttpResponse:
    """Three taps and a number: the triad role, the kind, the number of students, Save. Each step is a plain
    link or form, so it works without scripts."""
    if not may(request.user, "sro.activityentry", "log"):
        raise Http404
    role = request.GET.get("role") or request.POST.get("role") or ""
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if role not in ROLE_KINDS:
        role, kind = "", ""
    if kind and (kind not in ACTIVITY_KINDS or ACTIVITY_KINDS[kind][0] != role):
        kind = ""
    context: dict[str, Any] = {"role": role, "kind": kind, "roles": TriadRole.choices,
                               "role_label": TriadRole(role).label if role else "",
                               "kinds": ROLE_KINDS.get(role, []),
                               "kind_label": ACTIVITY_KINDS[kind][1] if kind else "",
                               "saved": request.GET.get("saved", "")}
    if not kind:
        return render(request, "sro/activity_quick.html", context)
    school = current_school(request.user)
    form = QuickEntryForm(request.user, request.POST or None, initial={
        "minutes": ACTIVITY_KINDS[kind][2], "school": school.pk if school else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = _act(form, lambda: actions.do_log_activity(
                request.user, school=int(data["school"]), kind=kind, students_reached=data["students_reached"],
                minutes=data["minutes"], note=data["note"]))
            if entry is not None:
                return redirect(f"{reverse('sro:activity-quick')}?saved={entry.pk}")
            status = getattr(form, "status", 400)
    context["form"] = form
    return render(request, "sro/activity_quick.html", context, status=status)


def _month(request: HttpRequest, month: str | None) -> dt.date:
    try:
        return parse_month(month) if month else timezone.localdate().replace(day=1)
    except ValueError:
        raise Http404 from None


@login_required
def activity_index(request: HttpRequest) -> HttpResponse:
    """The officers and schools whose monthly reports the user may read."""
    if not may(request.user, "sro.activityentry", "view"):
        raise Http404
    month = _month(request, request.GET.get("month"))
    leads = agencies_where(request.user, POLICE_LEADS)
    officers = User.objects.filter(
        Q(pk=request.user.pk, memberships__role="officer")
        | Q(memberships__role="officer", memberships__agency_id__in=sorted(leads))
        | Q(sro_activity__in=actions_visible(request.user))).distinct().order_by("full_name", "username")
    schools = reached_schools(request.user, allowed_roles_for_label("sro.activityentry", "view")).order_by("name")
    return render(request, "sro/activity_index.html", {
        "officers": officers, "schools": schools, "month": month,
        "can_log": may(request.user, "sro.activityentry", "log")})


def actions_visible(user: Any) -> Any:
    from schoolsafe.sro.models import ActivityEntry

    return ActivityEntry.objects.restrict(user, "view").values("pk")


class ReviewForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Review comment")


@login_required
@require_http_methods(["GET", "POST"])
def activity_officer_report(request: HttpRequest, officer_id: int, month: str) -> HttpResponse:
    officer = access_officer(request.user, officer_id)
    first = _month(request, month)
    review = ActivityReview.objects.restrict(request.user, "view").filter(officer=officer, month=first).first()
    supervising = agencies_where(request.user, allowed_roles_for_label("sro.activityreview", "review"))
    can_review = (review is None and bool(supervising) and Membership.objects.filter(
        user=officer, role="officer", agency_id__in=sorted(supervising)).exists())
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _act(form, lambda: actions.do_review_activity_month(
                request.user, officer, first, form.cleaned_data["comment"])) is not None:
            return redirect("sro:activity-officer", officer.pk, f"{first:%Y-%m}")
        status = getattr(form, "status", 400)
        if status == 403 and not can_review:
            raise PermissionDenied("You may not review this officer's month.")
    report = month_report(request.user, first, officer=officer)
    return render(request, "sro/activity_report.html", {
        "report": report, "subject": officer.full_name or officer.username, "officer": officer,
        "month": first, "review": review, "can_review": can_review, "form": form,
        "previous": f"{(first - dt.timedelta(days=1)):%Y-%m}",
        "next": f"{(first + dt.timedelta(days=32)).replace(day=1):%Y-%m}",
        "url_name": "sro:activity-officer", "url_id": officer.pk}, status=status)


@login_required
def activity_school_report(request: HttpRequest, school_id: int, month: str) -> HttpResponse:
    from schoolsafe.core.policies import access_school

    school = access_school(request.user, school_id, "sro.activityentry", "view")
    first = _month(request, month)
    report = month_report(request.user, first, school=school)
    return render(request, "sro/activity_report.html", {
        "report": report, "subject": school.name, "school": school, "month": first,
        "previous": f"{(first - dt.timedelta(days=1)):%Y-%m}",
        "next": f"{(first + dt.timedelta(days=32)).replace(day=1):%Y-%m}",
        "url_name": "sro:activity-school", "url_id": school.pk})
