"""The district's view of where every plan stands, overdue first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from schoolsafe.core.models import District
from schoolsafe.plans.models import (
    Plan,
    PlanTemplate,
    PlanVersion,
)
from schoolsafe.plans.views.common import schools_for


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
