"""API for organizations: the schools a caller may see."""


from typing import Annotated

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from schoolsafe.core.models import School
from schoolsafe.core.policies import access_school

router = Router(tags=["schools"])


class CallerRequest(HttpRequest):
    """An operation's request behind the API's authentication: django-ninja sets `auth` to the caller (one of
    schoolsafe.accounts' users, which core does not import; the policy takes any user)."""

    auth: AbstractBaseUser


class DistrictRef(Schema):
    id: int
    name: str


class SchoolOut(Schema):
    id: int
    nces_id: str | None
    name: str
    district: DistrictRef
    agencies: list[int] = Field(..., description="ids of the agencies that serve the school")
    address: str
    city: str
    state: str
    zip_code: str
    latitude: float | None
    longitude: float | None
    low_grade: str
    high_grade: str
    enrollment: int | None
    level: str
    phone: str
    time_zone: str

    @staticmethod
    def resolve_agencies(obj: School) -> list[int]:
        return [a.pk for a in obj.agencies.all()]


class SchoolFilter(FilterSchema):
    district: Annotated[int | None, FilterLookup("district_id")] = Field(None, description="only this district's schools")
    agency: Annotated[int | None, FilterLookup("agencies__id")] = Field(None, description="only schools this agency serves")


def visible_schools(request: CallerRequest):
    return School.objects.restrict(request.auth, "view")


@router.get("/schools", response=list[SchoolOut])
@paginate(PageNumberPagination, page_size=50)
def list_schools(request: CallerRequest, filters: SchoolFilter = Query(...)):  # noqa: B008
    """The schools the caller may see, by name; filter by district or agency."""
    qs = filters.filter(visible_schools(request)).select_related("district").prefetch_related("agencies")
    return qs.distinct().order_by("name", "pk")


@router.get("/schools/{school_id}", response=SchoolOut)
def get_school(request: CallerRequest, school_id: int):
    """One school; 404 when it does not exist or the caller may not see it."""
    return access_school(request.auth, school_id)
