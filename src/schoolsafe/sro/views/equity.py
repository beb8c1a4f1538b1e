"""Referral records and the equity dashboard.

The dashboard shows aggregates only (sro.equity: every small group suppressed), to whoever leads the school
or polices it; the rows behind it are for the agency's supervisors and the district's director alone, and
every look at them, a list or one row, is written to the audit log (FERPA, 34 CFR 99.32: a record of
access to education records).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import may
from schoolsafe.accounts.http import AuthenticatedHttpRequest
from schoolsafe.audit.log import record, record_read
from schoolsafe.core.errors import ActionError
from schoolsafe.core.policies import access_school
from schoolsafe.sro import actions, policies
from schoolsafe.sro.equity import DISTRICT, YEAR, Cube
from schoolsafe.sro.equity_data import KIND_FILTERS, load_cube, years_of
from schoolsafe.sro.models.referrals import (
    DIMENSIONS,
    GRADE_CHOICES,
    Disability,
    EnglishLearner,
    Offence,
    Race,
    ReferralKind,
    Sex,
    StudentReferral,
)
from schoolsafe.sro.plots import dimension_svg, trend_svg
from schoolsafe.sro.terms import TERM_LABELS, TERMS, school_year_of, term_label, term_span, year_label

PAGE_SIZE = 100


@login_required
@require_GET
def equity_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboards this person may open: their districts' and their schools'."""
    schools = list(policies.equity_schools(request.user).select_related("district").order_by("district__name", "name"))
    if not schools:
        raise NotVisible()
    districts = []
    for district in {s.district for s in schools}:
        try:
            districts.append(policies.access_equity_district(request.user, district.pk))
        except NotVisible:
            continue
    return render(request, "sro/equity_home.html", {
        "schools": schools, "districts": sorted(districts, key=lambda d: d.name),
        "may_view_rows": may(request.user, "sro.studentreferral", "view"),
        "may_record": may(request.user, "core.school", "sro_record_referral"),
        "may_set_enrollment": may(request.user, "sro.enrollmentcount", "change"),
    })


def _filters(request: AuthenticatedHttpRequest, district: Any) -> dict[str, Any]:
    years = years_of(district) or [school_year_of(timezone.localdate())]
    try:
        year = int(request.GET.get("year", years[0]))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    term = request.GET.get("term", "")
    term = term if term in TERMS else ""
    kind = request.GET.get("kind", "all")
    kind = kind if kind in KIND_FILTERS else "all"
    trend = request.GET.get("trend", "race")
    trend = trend if trend in DIMENSIONS else "race"
    return {"years": [(y, year_label(y)) for y in years], "year": year, "term": term, "kind": kind, "trend": trend,
            "terms": [(t, TERM_LABELS[t]) for t in TERMS], "kinds": list(KIND_FILTERS.items()),
            "dimensions": [(d, label) for d, (label, _) in DIMENSIONS.items()]}


def _trend(district: Any, place: Any, years: list[int], year: int, dimension: str, kind: str,
           cubes: dict[int, Cube]) -> dict[str, Any]:
    """The rate of each group term by term, over the chosen school year and the one before it."""
    shown_years = [y for y in sorted(years) if y in (year - 1, year)]
    columns: list[str] = []
    per_column: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    for y in shown_years:
        if y not in cubes:
            cubes[y] = load_cube(district, y, kind)
        cube = cubes[y]
        for t in TERMS:
            if term_span(y, t)[0] > timezone.localdate():
                continue  # a term still to come has nothing to show
            columns.append(term_label(y, t))
            rows = cube.table(place, t, dimension).rows
            per_column.append({row.group: row for row in rows})
            for row in rows:
                labels.setdefault(row.group, row.label)
    by_group = {g: (label, [column.get(g) for column in per_column]) for g, label in labels.items()}
    series = [(label, [c.rate if c is not None and not c.suppressed else None for c in cells])
              for label, cells in by_group.values()]
    title = (f"Trend of referrals per 1,000 enrolled by {DIMENSIONS[dimension][0].lower()}, term by term from "
             f"{columns[0] if columns else ''} to {columns[-1] if columns else ''}; suppressed terms are gaps. "
             "The table after the plot gives every value.")
    return {"columns": columns, "rows": list(by_group.values()), "label": DIMENSIONS[dimension][0],
            "svg": trend_svg(columns, series, title, prefix="plot-trend") if columns else ""}


def _dashboard(request: AuthenticatedHttpRequest, district: Any, place: Any, where: str,
               school: Any = None) -> HttpResponse:
    f = _filters(request, district)
    cubes: dict[int, Cube] = {}
    cube = cubes[f["year"]] = load_cube(district, f["year"], f["kind"])
    period = f["term"] or YEAR
    period_label = term_label(f["year"], period) if f["term"] else f"school year {year_label(f['year'])}"
    sections = []
    for table in cube.tables(place, period):
        sections.append({"table": table, "svg": dimension_svg(table, f"{where}, {period_label}",
                                                              prefix=f"plot-{table.dimension}")})
    total = cube.table(place, period, "race").total
    schools = list(policies.equity_schools(request.user).filter(district=district).order_by("name"))
    return render(request, "sro/equity_dashboard.html", {
        **f, "district": district, "school": school, "where": where, "period_label": period_label,
        "sections": sections, "total": total, "schools": schools,
        "trend": _trend(district, place, [y for y, _ in f["years"]], f["year"], f["trend"], f["kind"], cubes),
        "district_visible": _sees_district(request, district),
        "kind_label": KIND_FILTERS[f["kind"]],
    })


def _sees_district(request: AuthenticatedHttpRequest, district: Any) -> bool:
    try:
        policies.access_equity_district(request.user, district.pk)
    except NotVisible:
        return False
    return True


@login_required
@require_GET
def equity_school(request: AuthenticatedHttpRequest, school_id: int) -> HttpResponse:
    """One school's dashboard: 404 unless the person sees the school, 403 if they may not read its aggregates."""
    school = access_school(request.user, school_id, "core.school", "sro_equity")
    return _dashboard(request, school.district, school.pk, school.name, school=school)


@login_required
@require_GET
def equity_district(request: AuthenticatedHttpRequest, district_id: int) -> HttpResponse:
    district = policies.access_equity_district(request.user, district_id)
    return _dashboard(request, district, DISTRICT, district.name)


@login_required
@require_GET
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The rows (audited): only for who may see student-level rows somewhere; 404 for anyone else."""
    if not may(request.user, "sro.studentreferral", "view"):
        raise NotVisible()
    rows = StudentReferral.objects.restrict(request.user, "view").select_related("school", "officer")
    school_id = request.GET.get("school", "")
    if school_id.isdigit():
        rows = rows.filter(school_id=int(school_id))
    year = request.GET.get("year", "")
    if year.isdigit():
        rows = rows.filter(school_year=int(year))
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    shown = list(rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE + 1])
    more = len(shown) > PAGE_SIZE
    shown = shown[:PAGE_SIZE]
    record(request.user, "sro.read_referral_list", summary={"via": "page", "ids": [r.pk for r in shown],
                                                            "school": school_id, "year": year, "page": page})
    return render(request, "sro/referral_list.html", {
        "rows": shown, "page": page, "more": more, "school_filter": school_id, "year_filter": year,
        "schools": policies.equity_schools(request.user).filter(pk__in=rows.values("school_id")).order_by("name"),
    })


@login_required
@require_GET
def referral_detail(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = policies.access_referral(request.user, referral_id, "view")
    record_read(request.user, referral, summary={"via": "page"}, organization=OrgKey.of(referral.school))
    return render(request, "sro/referral_detail.html", {"r": referral, "year": year_label(referral.school_year),
                                                        "term": TERM_LABELS.get(referral.term, referral.term)})


class ReferralForm(forms.Form):
    """What an officer records: the action, the offence, and the student's CRDC groups; never who."""

    school = forms.ChoiceField()
    kind = forms.ChoiceField(label="What was done", choices=ReferralKind.choices)
    offence = forms.ChoiceField(label="Offence category", choices=Offence.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    grade = forms.ChoiceField(choices=GRADE_CHOICES)
    race = forms.ChoiceField(label="Race and ethnicity", choices=Race.choices)
    sex = forms.ChoiceField(choices=Sex.choices)
    disability = forms.ChoiceField(label="Disability status", choices=Disability.choices)
    english_learner = forms.ChoiceField(label="English learner", choices=EnglishLearner.choices)
    incident_id = forms.IntegerField(label="Incident number", required=False, min_value=1,
                                     help_text="the alert's number, when the referral came from an incident")

    def __init__(self, *args: Any, schools: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(s.pk, s.name) for s in schools]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = list(policies.recording_schools(request.user).order_by("name"))
    if not schools:
        raise NotVisible()
    form = ReferralForm(request.POST or None, schools=schools,
                        initial={"date": timezone.localdate(), "english_learner": "no", "disability": "none"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_record_referral(request.user, int(data.pop("school")), **data)
            except ActionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect(f"{request.path}?recorded=1")
        status = 400
    return render(request, "sro/referral_form.html", {"form": form, "recorded": request.GET.get("recorded")},
                  status=status)


class EnrollmentImportForm(forms.Form):
    """A CSV of enrolment by group, as the district reports it to the CRDC."""

    file = forms.FileField(label="CSV file", help_text=(
        "columns: school (its name or NCES id), school_year (the year it starts, 2025 for 2025–26), dimension "
        "(race, sex, disability, english_learner), group, count"))


MAX_IMPORT_BYTES = 1_000_000


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The district's director imports enrolment counts; every row is checked by the action, and one bad row
    imports nothing (the error names its line and field)."""
    import csv
    import io

    from django.db import transaction

    schools = policies.enrollment_schools(request.user)
    if not schools.exists():
        raise NotVisible()
    form = EnrollmentImportForm(request.POST or None, request.FILES or None)
    imported = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    raise ActionError("is larger than 1 MB", field="file", status=413)
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise ActionError("is not UTF-8 text", field="file") from None
                reader = csv.DictReader(io.StringIO(text))
                missing = {"school", "school_year", "dimension", "group", "count"} - set(reader.fieldnames or [])
                if missing:
                    raise ActionError(f"has no column {', '.join(sorted(missing))}", field="file")
                by_name = {s.name.casefold(): s for s in schools}
                by_nces = {s.nces_id: s for s in schools if s.nces_id}
                with transaction.atomic():
                    rows = list(reader)
                    for line, row in enumerate(rows, start=2):
                        key = (row.get("school") or "").strip()
                        school = by_nces.get(key) or by_name.get(key.casefold())
                        try:
                            if school is None:
                                raise ActionError("unknown school", field="school", status=404)
                            actions.do_set_enrollment(request.user, school, school_year=row["school_year"],
                                                      dimension=(row["dimension"] or "").strip(),
                                                      group=(row["group"] or "").strip(), count=row["count"])
                        except ActionError as error:
                            raise ActionError(f"line {line}, {error.field}: {error.message}", field="file",
                                              status=error.status) from None
                imported = len(rows)
                status = 200
            except ActionError as error:
                imported = None
                form.add_error("file", error.message)
                status = error.status if error.status != 404 else 400
    return render(request, "sro/equity_enrollment.html", {"form": form, "imported": imported}, status=status)
