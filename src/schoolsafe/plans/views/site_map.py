"""The school's site map: the page, GeoJSON import and export."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from schoolsafe.core import inputlimits
from schoolsafe.core.models import School
from schoolsafe.plans import actions
from schoolsafe.plans.forms import (
    SiteMapImportForm,
)
from schoolsafe.plans.models import (
    SiteMap,
)
from schoolsafe.plans.pdf import packet_filename
from schoolsafe.plans.sitemap import KINDS, UTILITIES, SiteMapError, empty_map, features_for
from schoolsafe.plans.views.common import _can, _school


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
    for warning in getattr(stored, "warnings", []):
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
