"""API for the caller's own account."""

from django.http import HttpRequest
from ninja import Router, Schema

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
def me(request: HttpRequest):
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
        "memberships": [
            {
                "role": m.role,
                "role_label": m.get_role_display(),
                "organization": {"kind": m.organization_kind, "id": m.organization.pk, "name": m.organization.name},
            }
            for m in mine
        ],
    }
