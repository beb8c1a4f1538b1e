"""Pages for organizations: the user's schools and one school."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schoolsafe.core.models import School
from schoolsafe.core.policies import access_school


def home(request: HttpRequest) -> HttpResponse:
    """The schools this user reaches through their memberships; for anyone not signed in, the choice between
    the public portal (safety information, anonymous tips) and the staff sign-in."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    schools = (
        School.objects.restrict(request.user, "view").select_related("district").order_by("name", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        schools = schools.filter(name__icontains=query)
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(request, "core/home.html", {"page": page, "query": query})


@login_required
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    map_data = {
        "center": [school.latitude, school.longitude] if school.latitude is not None else None,
        "features": [
            {"type": "Feature", "properties": {"name": school.name, "kind": "school"},
             "geometry": {"type": "Point", "coordinates": [school.longitude, school.latitude]}}
        ] if school.latitude is not None else [],
        "tiles": settings.SCHOOLSAFE_TILE_URL,
        "attribution": settings.SCHOOLSAFE_TILE_ATTRIBUTION,
    }
    return render(request, "core/school_detail.html", {
        "school": school,
        "agencies": school.agencies.restrict(request.user, "view"),
        "map_data": map_data,
    })
