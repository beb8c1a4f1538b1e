"""A school's plan: its versions, their workflow steps, sections, planning team, hazards, the diff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schoolsafe.access.loaders import NotVisible
from schoolsafe.core.models import School
from schoolsafe.plans import actions, outline
from schoolsafe.plans.actions import PlanError
from schoolsafe.plans.diff import changed_sections, diff_table
from schoolsafe.plans.forms import (
    HazardForm,
    NewSectionForm,
    SectionForm,
    TeamMemberForm,
)
from schoolsafe.plans.models import (
    Plan,
    PlanVersion,
)
from schoolsafe.plans.policies import (
    access_hazard,
    access_plan_version,
    access_planning_member,
    access_section,
)
from schoolsafe.plans.rendering import render_markdown
from schoolsafe.plans.views.common import _can, _invalid, _school


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


class PlanStep(NamedTuple):
    """One step of a version's workflow: the permission it needs, what it does with the posted form (the
    version to show afterwards: a revision is a new one), and the message once done."""

    permission: str
    run: Callable[[Any, PlanVersion, QueryDict], PlanVersion]
    done: str


def _signed_off(user: Any, version: PlanVersion, post: QueryDict) -> PlanVersion:
    actions.do_sign_off_plan(user, version, post.get("kind", ""))
    return version


STEPS: dict[str, PlanStep] = {
    "submit": PlanStep("change", lambda user, version, post: actions.do_submit_plan(user, version),
                       "Version {n} was sent for review."),
    "return": PlanStep("change", lambda user, version, post: actions.do_return_plan_to_draft(
        user, version, reason=post.get("reason", "")), "Version {n} was returned to draft; its sign-offs were withdrawn."),
    "approve": PlanStep("change", lambda user, version, post: actions.do_approve_plan(user, version),
                        "Version {n} is approved. The next review is due in a year."),
    "signoff": PlanStep("signoff", _signed_off, "Your sign-off on version {n} was recorded."),
    "revise": PlanStep("change", lambda user, version, post: actions.do_start_plan_revision(user, version.plan),
                       "Version {n} was started as a draft."),
}


@login_required
@require_POST
def plan_step(request: HttpRequest, version_id: int, step: str) -> HttpResponse:
    """One step of the workflow: submit, return to draft, sign off, approve, start a new version."""
    if step not in STEPS:
        raise NotVisible()
    permission, run, done = STEPS[step]
    version = _version(request, version_id, permission)
    school = version.plan.school
    try:
        version = run(request.user, version, request.POST)
    except PlanError as exc:
        return _refused(request, school, version, exc)
    messages.success(request, done.format(n=version.number))
    return _back(version)


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
        messages.error(request, "; ".join(f"{f}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()))
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
        messages.error(request, "; ".join(f"{f}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()))
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
