"""API for the caller's own account."""

from typing import Any

from ninja import Router, Schema

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.accounts.models import Membership

router = Router(tags=["accounts"])


class OrganizationOut(Schema):
    kind: str
    id: int
    name: str


class MembershipOut(Schema):
    role: str
    role_label: str
    organization: OrganizationOut


class MeOut(Schema):
    id: int
    username: str
    name: str
    title: str
    roles: list[str]
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut)
def me(request: ApiRequest):
    """Who the caller is: username, name, roles and the memberships that grant them."""
    user = request.auth
    mine = sorted(user.memberships.select_related("agency", "district", "school"),
                  key=lambda m: (m.organization_kind, m.role, m.pk))
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "title": user.title,
        "roles": sorted({m.role for m in mine}),
        "memberships": [_membership_out(m) for m in mine],
    }


def _membership_out(m: Membership) -> dict[str, Any]:
    organization = m.organization
    # A stored membership names exactly one organization (the membership_one_organization constraint).
    assert organization is not None
    return {
        "role": m.role,
        "role_label": m.get_role_display(),
        "organization": {"kind": m.organization_kind, "id": organization.pk, "name": organization.name},
    }
