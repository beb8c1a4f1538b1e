"""Pages for emergency operations plans, SRP settings, site maps and the responder packet.

Each view loads what it shows through the access policy (`restrict`), so a school, plan or version
outside the user's reach is a 404; it then parses the input, calls one action and renders.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schoolsafe.access.loaders import NotAllowed, NotVisible
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import allowed_roles, reached_schools_q
from schoolsafe.audit.log import record
from schoolsafe.core import inputlimits
from schoolsafe.core.models import District, School
from schoolsafe.core.policies import access_district, access_school
from schoolsafe.plans import actions, outline
from schoolsafe.plans.actions import PlanError
from schoolsafe.plans.diff import changed_sections, diff_table
from schoolsafe.plans.forms import (
    AccessForm,
    ContactForm,
    HazardForm,
    NewSectionForm,
    ResponseProtocolForm,
    SectionForm,
    SiteMapImportForm,
    TeamMemberForm,
)
from schoolsafe.plans.models import (
    EmergencyContact,
    Plan,
    PlanTemplate,
    PlanVersion,
    ResponderInfo,
    ResponseProtocol,
    SiteMap,
)
from schoolsafe.plans.pdf import packet_context, packet_filename, responder_packet_pdf, responder_packet_zip
from schoolsafe.plans.policies import (
    access_contact,
    access_hazard,
    access_plan_version,
    access_planning_member,
    access_section,
)
from schoolsafe.plans.rendering import render_markdown
from schoolsafe.plans.sitemap import KINDS, UTILITIES, SiteMapError, empty_map, features_for
from schoolsafe.plans.srp import ACTION_LABELS, ACTIONS, directives_for, locations, protocol_for


def schools_for(user: Any, model: type, action: str) -> QuerySet:
    """The schools on which `user` may `action` the school-level `model` (the policy's table decides)."""
    return School.objects.filter(reached_schools_q(user, allowed_roles(model, action)))


def _school(request: HttpRequest, school_id: int, model: type = Plan, action: str = "view") -> School:
    return access_school(request.user, school_id, model._meta.label_lower, action)


def _can(user: Any, model: type, action: str, school: School) -> bool:
    return schools_for(user, model, action).filter(pk=school.pk).exists()


# --- dashboard ------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every plan the user may read, overdue first: the district's view of where plans stand."""
    today = timezone.localdate()
    schools = schools_for(request.user, Plan, "view").select_related("district").order_by("name", "pk")
    plans = {p.school_id: p for p in Plan.objects.restrict(request.user, "view").prefetch_related("versions")}
    rows = []
    for school in schools:
        plan = plans.get(school.pk)
        versions = sorted(plan.versions.all(), key=lambda v: -v.number) if plan else []
        approved = next((v for v in versions if v.status == PlanVersion.Status.APPROVED), None)
        rows.append({
            "school": school, "plan": plan, "latest": versions[0] if versions else None, "approved": approved,
            "overdue": bool(plan and plan.review_due and plan.review_due < today),
            "days_overdue": (today - plan.review_due).days if plan and plan.review_due else None,
        })
    overdue_only = request.GET.get("show") == "overdue"
    counts = {
        "schools": len(rows),
        "approved": sum(1 for r in rows if r["approved"]),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "no_plan": sum(1 for r in rows if not r["plan"]),
    }
    if overdue_only:
        rows = [r for r in rows if r["overdue"]]
    rows.sort(key=lambda r: (not r["overdue"], r["plan"] is not None, r["school"].name))
    templates = District.objects.filter(
        pk__in=schools_for(request.user, PlanTemplate, "view").values("district_id")).order_by("name")
    return render(request, "plans/dashboard.html", {"rows": rows, "counts": counts, "overdue_only": overdue_only,
                                                    "today": today, "templates": templates})


# --- a school's plan ------------------------------------------------------------------------------


def _plan_page(request: HttpRequest, school: School, version: PlanVersion | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    plan = Plan.objects.restrict(user, "view").filter(school=school).first()
    versions = list(plan.versions.all().order_by("-number")) if plan else []
    if version is None and versions:
        version = next((v for v in versions if v.status in PlanVersion.OPEN), None) or versions[0]
    can_change = _can(user, Plan, "change", school)
    context: dict[str, Any] = {"school": school, "plan": plan, "versions": versions, "version": version,
                               "can_change": can_change, "today": timezone.localdate()}
    if version is not None:
        sections = list(version.sections.all())
        context.update(
            sections=[(s, render_markdown(s.body)) for s in sections],
            kinds=[(code, label, [s for s in sections if s.kind == code]) for code, label in outline.SECTION_KINDS],
            hazards=version.ranked_hazards(),
            team=list(version.team.all()),
            signoff_rows=_signoff_rows(version),
            open_signoffs=actions.signoffs_open_to(user, version),
            police_annexes=set(outline.POLICE_SIGNOFF_ANNEXES),
            editable=version.editable and can_change,
            new_section_form=NewSectionForm(), team_form=TeamMemberForm(), hazard_form=HazardForm(),
        )
    return render(request, "plans/plan.html", context, status=status)


def _signoff_rows(version: PlanVersion) -> list[dict[str, Any]]:
    given = {s.kind: s for s in version.signoffs.all()}
    return [{"kind": kind, "label": label, "signoff": given.get(kind)} for kind, label in actions.required_signoffs(version)]


@login_required
@require_GET
def school_plan(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    version = None
    if request.GET.get("version"):
        try:
            number = int(request.GET["version"])
        except ValueError:
            raise NotVisible() from None
        version = access_plan_version(request.user, plan__school=school, number=number)
    return _plan_page(request, school, version)


def _refused(request: HttpRequest, school: School, version: PlanVersion | None, error: PlanError) -> HttpResponse:
    messages.error(request, str(error))
    return _plan_page(request, school, version, status=409)


@login_required
@require_POST
def create_plan(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, Plan, "change")
    try:
        actions.do_create_plan(request.user, school)
    except PlanError as exc:
        return _refused(request, school, None, exc)
    messages.success(request, f"The plan of {school.name} was started from the district template.")
    return redirect("plans-school", school.pk)


def _version(request: HttpRequest, version_id: int, action: str) -> PlanVersion:
    return access_plan_version(request.user, version_id, action)


def _back(version: PlanVersion) -> HttpResponse:
    return redirect(f"{reverse('plans-school', args=[version.plan.school_id])}?version={version.number}")


STEPS = {
    "submit": ("change", actions.do_submit_plan, "Version {n} was sent for review."),
    "return": ("change", None, "Version {n} was returned to draft; its sign-offs were withdrawn."),
    "approve": ("change", actions.do_approve_plan, "Version {n} is approved. The next review is due in a year."),
    "signoff": ("signoff", None, "Your sign-off on version {n} was recorded."),
    "revise": ("change", None, "Version {n} was started as a draft."),
}


@login_required
@require_POST
def plan_step(request: HttpRequest, version_id: int, step: str) -> HttpResponse:
    """One step of the workflow: submit, return to draft, sign off, approve, start a new version."""
    if step not in STEPS:
        raise NotVisible()
    permission, action, done = STEPS[step]
    version = _version(request, version_id, permission)
    school = version.plan.school
    try:
        if step == "signoff":
            actions.do_sign_off_plan(request.user, version, request.POST.get("kind", ""))
        elif step == "return":
            actions.do_return_plan_to_draft(request.user, version, reason=request.POST.get("reason", ""))
        elif step == "revise":
            version = actions.do_start_plan_revision(request.user, version.plan)
        else:
            action(request.user, version)
    except PlanError as exc:
        return _refused(request, school, version, exc)
    messages.success(request, done.format(n=version.number))
    return _back(version)


def _invalid(request: HttpRequest, form: Any, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def edit_section(request: HttpRequest, section_id: int) -> HttpResponse:
    section = access_section(request.user, section_id, "change")
    context = {"section": section, "version": section.version, "school": section.version.plan.school}
    if request.method == "POST":
        form = SectionForm(request.POST)
        if not form.is_valid():
            return _invalid(request, form, "plans/section_form.html", context)
        try:
            actions.do_update_section(request.user, section, **form.cleaned_data)
        except PlanError as exc:
            form.add_error(None, str(exc))
            return _invalid(request, form, "plans/section_form.html", context)
        messages.success(request, f"{form.cleaned_data['title']} was saved.")
        return _back(section.version)
    form = SectionForm(initial={"title": section.title, "body": section.body})
    return render(request, "plans/section_form.html", {**context, "form": form,
                                                       "preview": render_markdown(section.body)})


@login_required
@require_POST
def add_section(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id, "change")
    form = NewSectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
        return _plan_page(request, version.plan.school, version, status=400)
    try:
        section = actions.do_add_section(request.user, version, **form.cleaned_data)
    except PlanError as exc:
        return _refused(request, version.plan.school, version, exc)
    return redirect("plans-section-edit", section.pk)


@login_required
@require_POST
def remove_section(request: HttpRequest, section_id: int) -> HttpResponse:
    section = access_section(request.user, section_id, "change")
    try:
        actions.do_remove_section(request.user, section)
    except PlanError as exc:
        return _refused(request, section.version.plan.school, section.version, exc)
    messages.success(request, f"{section.title} was removed.")
    return _back(section.version)


@login_required
@require_POST
def add_team_member(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id, "change")
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
        return _plan_page(request, version.plan.school, version, status=400)
    try:
        actions.do_add_team_member(request.user, version, **form.cleaned_data)
    except PlanError as exc:
        return _refused(request, version.plan.school, version, exc)
    return _back(version)


@login_required
@require_POST
def remove_team_member(request: HttpRequest, member_id: int) -> HttpResponse:
    member = access_planning_member(request.user, member_id, "change")
    try:
        actions.do_remove_team_member(request.user, member)
    except PlanError as exc:
        return _refused(request, member.version.plan.school, member.version, exc)
    return _back(member.version)


@login_required
@require_http_methods(["GET", "POST"])
def hazard_form(request: HttpRequest, version_id: int, hazard_id: int | None = None) -> HttpResponse:
    """Add a threat or hazard to the risk assessment (POST from the plan page), or change one."""
    version = _version(request, version_id, "change")
    hazard = access_hazard(request.user, hazard_id, "change", version=version) if hazard_id else None
    context = {"version": version, "school": version.plan.school, "hazard": hazard}
    if request.method == "POST":
        form = HazardForm(request.POST)
        if not form.is_valid():
            return _invalid(request, form, "plans/hazard_form.html", context)
        try:
            actions.do_save_hazard(request.user, version, hazard, **form.cleaned_data)
        except PlanError as exc:
            form.add_error(None, str(exc))
            return _invalid(request, form, "plans/hazard_form.html", context)
        return _back(version)
    initial = {f: getattr(hazard, f) for f in HazardForm.base_fields} if hazard else {}
    return render(request, "plans/hazard_form.html", {**context, "form": HazardForm(initial=initial)})


@login_required
@require_POST
def remove_hazard(request: HttpRequest, hazard_id: int) -> HttpResponse:
    hazard = access_hazard(request.user, hazard_id, "change")
    try:
        actions.do_remove_hazard(request.user, hazard)
    except PlanError as exc:
        return _refused(request, hazard.version.plan.school, hazard.version, exc)
    return _back(hazard.version)


@login_required
@require_GET
def version_diff(request: HttpRequest, version_id: int) -> HttpResponse:
    """What changed between two versions of one plan (`?against=<number>`, default the one it was based on)."""
    new = _version(request, version_id, "view")
    others = PlanVersion.objects.restrict(request.user, "view").filter(plan=new.plan).exclude(pk=new.pk)
    against = request.GET.get("against")
    if against:
        try:
            old = access_plan_version(request.user, plan=new.plan, number=int(against))
        except ValueError:
            raise NotVisible() from None
        if old.pk == new.pk:
            raise NotVisible()
    else:
        old = new.based_on or others.filter(number__lt=new.number).order_by("-number").first()
    context: dict[str, Any] = {"new": new, "old": old, "school": new.plan.school,
                               "others": others.order_by("-number")}
    if old is not None:
        if old.number > new.number:
            old, new = new, old
            context.update(new=new, old=old)
        context.update(table=diff_table(old, new), changes=changed_sections(old, new))
    return render(request, "plans/diff.html", context)


# --- district template ----------------------------------------------------------------------------


@login_required
@require_GET
def template_page(request: HttpRequest, district_id: int) -> HttpResponse:
    district = _district(request, district_id, "view")
    sections, hazards = actions.template_for(district)
    can_change = _district_can_change(request, district)
    return render(request, "plans/template.html", {
        "district": district, "sections": [(s, render_markdown(s["body"])) for s in sections], "hazards": hazards,
        "can_change": can_change, "new_section_form": NewSectionForm(),
        "customised": PlanTemplate.objects.filter(district=district).exclude(sections=[]).exists()})


def _district(request: HttpRequest, district_id: int, action: str) -> District:
    return access_district(request.user, district_id, "plans.plantemplate", action)


def _district_can_change(request: HttpRequest, district: District) -> bool:
    return schools_for(request.user, PlanTemplate, "change").filter(district=district).exists()


@login_required
@require_http_methods(["GET", "POST"])
def template_section(request: HttpRequest, district_id: int, key: str | None = None) -> HttpResponse:
    district = _district(request, district_id, "change")
    sections, _ = actions.template_for(district)
    section = next((s for s in sections if s["key"] == key), None) if key else None
    if key and section is None:
        raise NotVisible()
    context = {"district": district, "section": section}
    if request.method == "POST":
        form = SectionForm(request.POST)
        kind = section["kind"] if section else request.POST.get("kind", "")
        if not form.is_valid():
            return _invalid(request, form, "plans/template_section.html", context)
        try:
            actions.do_save_template_section(request.user, district, key=key, kind=kind, **form.cleaned_data)
        except PlanError as exc:
            form.add_error(None, str(exc))
            return _invalid(request, form, "plans/template_section.html", context)
        messages.success(request, f"The template section {form.cleaned_data['title']} was saved.")
        return redirect("plans-template", district.pk)
    initial = {"title": section["title"], "body": section["body"]} if section else {}
    return render(request, "plans/template_section.html", {**context, "form": SectionForm(initial=initial)})


# --- Standard Response Protocol -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def response_protocol(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, ResponseProtocol, "view")
    can_change = _can(request.user, ResponseProtocol, "change", school)
    protocol = protocol_for(school)
    context = {"school": school, "protocol": protocol, "can_change": can_change,
               "directives": [(ACTION_LABELS[a], getattr(protocol, a)) for a in ACTIONS],
               "spanish": [(ACTION_LABELS[a], text) for a, text in directives_for(school, "es").items()],
               "evacuation": locations(protocol.evacuation_locations),
               "reunification": locations(protocol.reunification_locations)}
    if request.method == "POST":
        if not can_change:
            raise NotAllowed("change")
        form = ResponseProtocolForm(request.POST)
        if not form.is_valid():
            return _invalid(request, form, "plans/response_protocol.html", context)
        data = form.cleaned_data
        actions.do_update_response_protocol(
            request.user, school, directives={a: data[a] for a in ACTIONS}, shelter_strategies=data["shelter_strategies"],
            spanish={a: data[f"{a}_es"] for a in ACTIONS},
            evacuation_locations=data["evacuation_locations"], reunification_locations=data["reunification_locations"])
        messages.success(request, "The Standard Response Protocol settings were saved.")
        return redirect("plans-srp", school.pk)
    initial = {a: getattr(protocol, a) for a in ACTIONS}
    initial.update({f"{a}_es": (protocol.spanish or {}).get(a, "") for a in ACTIONS})
    initial.update(shelter_strategies="\n".join(f"{k}: {v}" for k, v in protocol.shelter_strategies.items()),
                   evacuation_locations=protocol.evacuation_locations,
                   reunification_locations=protocol.reunification_locations)
    return render(request, "plans/response_protocol.html", {**context, "form": ResponseProtocolForm(initial=initial)})


# --- site map -------------------------------------------------------------------------------------


def _site_map_page(request: HttpRequest, school: School, status: int = 200, problems: list[str] | None = None,
                   import_form: SiteMapImportForm | None = None) -> HttpResponse:
    can_change = _can(request.user, SiteMap, "change", school)
    features = features_for(school)
    editor = {
        "center": [school.latitude, school.longitude] if school.latitude is not None else None,
        "features": features["features"],
        "tiles": settings.SCHOOLSAFE_TILE_URL,
        "attribution": settings.SCHOOLSAFE_TILE_ATTRIBUTION,
        "kinds": [{"code": k.code, "label": k.label, "geometries": list(k.geometries)} for k in KINDS.values()],
        "utilities": UTILITIES,
        "save_url": f"/api/v1/schools/{school.pk}/site-map",
        "can_edit": can_change,
    }
    site_map = SiteMap.objects.filter(school=school).select_related("updated_by").first()
    return render(request, "plans/site_map.html", {
        "school": school, "editor": editor, "features": features["features"], "can_change": can_change,
        "site_map": site_map, "problems": problems or [], "import_form": import_form or SiteMapImportForm(),
        "can_packet": _can(request.user, SiteMap, "packet", school),
    }, status=status)


@login_required
@require_GET
def site_map(request: HttpRequest, school_id: int) -> HttpResponse:
    return _site_map_page(request, _school(request, school_id, SiteMap, "view"))


@login_required
@require_POST
def site_map_import(request: HttpRequest, school_id: int) -> HttpResponse:
    """Replace the site map with an uploaded .geojson file; a refused file leaves the map as it was."""
    school = _school(request, school_id, SiteMap, "change")
    form = SiteMapImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _site_map_page(request, school, 400, import_form=form)
    upload = form.cleaned_data["file"]
    if upload.size > 5 * 1024 * 1024:
        return _site_map_page(request, school, 400, ["file: a site map file must be smaller than 5 MB"], form)
    try:
        data = inputlimits.loads(upload.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _site_map_page(request, school, 400, [f"file: not a GeoJSON (JSON) file: {exc}"], form)
    try:
        stored = actions.do_save_site_map(request.user, school, data)
    except SiteMapError as exc:
        return _site_map_page(request, school, 400, exc.problems, form)
    messages.success(request, f"Imported {len(stored.geojson['features'])} site features from {upload.name}.")
    for warning in stored.warnings:
        messages.warning(request, warning)
    return redirect("plans-site-map", school.pk)


@login_required
@require_GET
def site_map_export(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "view")
    stored = SiteMap.objects.filter(school=school).values_list("geojson", flat=True).first() or empty_map()
    response = HttpResponse(json.dumps(stored, indent=1), content_type="application/geo+json")
    filename = packet_filename(school, "geojson").replace("responder-packet", "site-map")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- responder packet -----------------------------------------------------------------------------


@login_required
@require_GET
def responder(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    return _responder_page(request, school)


def _responder_page(request: HttpRequest, school: School, status: int = 200, contact_form: ContactForm | None = None,
                    access_form: AccessForm | None = None) -> HttpResponse:
    info = ResponderInfo.objects.filter(school=school).first()
    return render(request, "plans/responder.html", {
        "school": school, "packet": packet_context(school),
        "can_change": _can(request.user, EmergencyContact, "change", school),
        "contact_form": contact_form or ContactForm(),
        "access_form": access_form or AccessForm(initial={"access_information": info.access_information if info else ""}),
    }, status=status)


@login_required
@require_POST
def responder_contact_add(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, EmergencyContact, "change")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _responder_page(request, school, 400, contact_form=form)
    actions.do_add_emergency_contact(request.user, school, **form.cleaned_data)
    messages.success(request, f"{form.cleaned_data['name']} was added to the 24/7 contacts.")
    return redirect("plans-responder", school.pk)


@login_required
@require_POST
def responder_contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id, "change")
    actions.do_remove_emergency_contact(request.user, contact)
    messages.success(request, f"{contact.name} was removed from the 24/7 contacts.")
    return redirect("plans-responder", contact.school_id)


@login_required
@require_POST
def responder_access(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, ResponderInfo, "change")
    form = AccessForm(request.POST)
    if not form.is_valid():
        return _responder_page(request, school, 400, access_form=form)
    actions.do_update_responder_info(request.user, school, **form.cleaned_data)
    messages.success(request, "The access information was saved.")
    return redirect("plans-responder", school.pk)


@login_required
@require_GET
def packet_pdf(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    # The packet holds door codes and private numbers: who took one is kept, like any sensitive read.
    record(request.user, "plans.download_responder_packet", school, organization=str(OrgKey.of(school)),
           summary={"format": "pdf"})
    response = HttpResponse(responder_packet_pdf(school), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{packet_filename(school, "pdf")}"'
    return response


@login_required
@require_GET
def packet_zip(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    record(request.user, "plans.download_responder_packet", school, organization=str(OrgKey.of(school)),
           summary={"format": "zip"})
    response = HttpResponse(responder_packet_zip(school), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{packet_filename(school, "zip")}"'
    return response
