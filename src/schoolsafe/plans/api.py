"""API for plans (read), site maps (GeoJSON, read and replace) and the responder packet (PDF)."""

import datetime as dt
import json
from typing import Any

from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.accounts.http import ApiRequest
from schoolsafe.audit.log import record
from schoolsafe.core.models import School
from schoolsafe.core.policies import access_school
from schoolsafe.plans import actions
from schoolsafe.plans.models import Plan, ResponseProtocol, SiteMap
from schoolsafe.plans.pdf import packet_filename, responder_packet_pdf
from schoolsafe.plans.policies import access_plan, access_plan_version
from schoolsafe.plans.sitemap import SiteMapError, features_for
from schoolsafe.plans.srp import directives_for, locations, protocol_for, shelter_strategies_for

router = Router(tags=["plans"])


class VersionRef(Schema):
    number: int
    status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    archived_at: dt.datetime | None


class PlanOut(Schema):
    id: int
    school_id: int
    school_name: str
    review_due: dt.date | None
    overdue: bool
    versions: list[VersionRef]


class SectionOut(Schema):
    key: str
    kind: str
    title: str
    body: str


class TeamMemberOut(Schema):
    name: str
    role: str
    organization: str
    phone: str
    email: str


class HazardOut(Schema):
    rank: int
    name: str
    category: str
    probability: int
    magnitude: int
    warning_time: int
    duration: int
    risk_score: float
    priority: str


class SignOffOut(Schema):
    kind: str
    signer_name: str
    organization: str
    signed_at: dt.datetime


class VersionOut(VersionRef):
    school_id: int
    sections: list[SectionOut]
    team: list[TeamMemberOut]
    hazards: list[HazardOut]
    signoffs: list[SignOffOut]
    missing_signoffs: list[str]


class ResponseProtocolOut(Schema):
    school_id: int
    directives: dict[str, str]
    shelter_strategies: dict[str, str]
    evacuation_locations: list[str]
    reunification_locations: list[str]


def _plan_out(plan: Plan) -> dict[str, Any]:
    versions = sorted(plan.versions.all(), key=lambda v: v.number)
    return {"id": plan.pk, "school_id": plan.school_id, "school_name": plan.school.name, "review_due": plan.review_due,
            "overdue": plan.is_overdue(timezone.localdate()), "versions": versions}


@router.get("/plans", response=list[PlanOut])
def list_plans(request: ApiRequest):
    """The emergency operations plans the caller may read, with their versions and review dates."""
    plans = Plan.objects.restrict(request.auth, "view").select_related("school").prefetch_related("versions")
    return [_plan_out(p) for p in plans.order_by("school__name", "pk")]


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: ApiRequest, plan_id: int):
    """One plan; 404 when it does not exist or the caller may not read it."""
    plan = access_plan(request.auth, plan_id)
    return _plan_out(plan)


@router.get("/plans/{plan_id}/versions/{number}", response=VersionOut)
def get_plan_version(request: ApiRequest, plan_id: int, number: int):
    """One version of a plan in full: sections (markdown), planning team, ranked risk assessment, sign-offs."""
    version = access_plan_version(request.auth, plan_id=plan_id, number=number)
    return {
        "number": version.number, "status": version.status, "created_at": version.created_at,
        "submitted_at": version.submitted_at, "approved_at": version.approved_at, "archived_at": version.archived_at,
        "school_id": version.plan.school_id,
        "sections": list(version.sections.all()),
        "team": list(version.team.all()),
        "hazards": [{"rank": i, "name": h.name, "category": h.category, "probability": h.probability,
                     "magnitude": h.magnitude, "warning_time": h.warning_time, "duration": h.duration,
                     "risk_score": h.risk_score, "priority": h.priority}
                    for i, h in enumerate(version.ranked_hazards(), start=1)],
        "signoffs": list(version.signoffs.all()),
        "missing_signoffs": [label for _, label in actions.missing_signoffs(version)],
    }


def _school(request: ApiRequest, school_id: int, model: type[Model], action: str) -> School:
    return access_school(request.auth, school_id, model._meta.label_lower, action)


@router.get("/schools/{school_id}/response-protocol", response=ResponseProtocolOut)
def get_response_protocol(request: ApiRequest, school_id: int):
    """The school's Standard Response Protocol: the directive of each action, shelter strategies, locations."""
    school = _school(request, school_id, ResponseProtocol, "view")
    protocol = protocol_for(school)
    return {"school_id": school.pk, "directives": directives_for(school),
            "shelter_strategies": shelter_strategies_for(school),
            "evacuation_locations": locations(protocol.evacuation_locations),
            "reunification_locations": locations(protocol.reunification_locations)}


@router.get("/schools/{school_id}/site-map", response=dict[str, Any])
def get_site_map(request: ApiRequest, school_id: int):
    """The school's site map as a GeoJSON FeatureCollection (RFC 7946: positions are [longitude, latitude]).

    Each feature's properties: `kind`, and `name`, `door`, `utility`, `notes` where given, plus `kind_label`
    and `label` for display."""
    school = _school(request, school_id, SiteMap, "view")
    return features_for(school)


GEOJSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["type", "features"],
            "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"type": "object"}}},
        }}},
    }
}


@router.put("/schools/{school_id}/site-map", response={200: dict[str, Any], 400: dict[str, Any], 422: dict[str, Any]},
            openapi_extra=GEOJSON_BODY)
def put_site_map(request: ApiRequest, school_id: int):
    """Replace the school's site map with a GeoJSON FeatureCollection (the request body).

    Refused whole (422, the stored map unchanged) when any feature has an unknown geometry, an unclosed,
    self-intersecting or empty polygon ring, coordinates out of range or swapped, or lies over 3 km from the
    school; `problems` lists each, naming the feature by number and name. A feature without a known kind
    is kept as "other" and named in `warnings`; outer rings are stored counter-clockwise."""
    school = _school(request, school_id, SiteMap, "change")
    try:
        geojson = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return Status(400, {"detail": f"body: not JSON: {exc}"})
    try:
        stored = actions.do_save_site_map(request.auth, school, geojson)
    except SiteMapError as exc:
        return Status(422, {"detail": f"the site map was refused: {exc}", "problems": exc.problems})
    # `warnings`: a foreign member (RFC 7946 §6.1) saying what was accepted but changed.
    return Status(200, {**features_for(school), "warnings": getattr(stored, "warnings", [])})


@router.get("/schools/{school_id}/responder-packet.pdf", response={200: None}, openapi_extra={
    "responses": {"200": {"description": "the responder packet as PDF",
                          "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def get_responder_packet(request: ApiRequest, school_id: int):
    """The school's responder packet (PDF): site map, 24/7 contacts, access, SRP directives, sites, shut-offs."""
    school = _school(request, school_id, SiteMap, "packet")
    record(request.auth, "plans.download_responder_packet", school, organization=str(OrgKey.of(school)),
           summary={"format": "pdf", "via": "api"})
    response = HttpResponse(responder_packet_pdf(school), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{packet_filename(school, "pdf")}"'
    return response
