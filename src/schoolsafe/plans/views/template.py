"""The district's plan template: the sections every school's new plan starts from."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from schoolsafe.access.loaders import NotVisible
from schoolsafe.core.models import District
from schoolsafe.core.policies import access_district
from schoolsafe.plans import actions
from schoolsafe.plans.actions import PlanError
from schoolsafe.plans.forms import (
    NewSectionForm,
    SectionForm,
)
from schoolsafe.plans.models import (
    PlanTemplate,
)
from schoolsafe.plans.rendering import render_markdown
from schoolsafe.plans.views.common import _invalid, schools_for


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
