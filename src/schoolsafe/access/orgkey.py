"""The organization key: "school:12", "district:3", "agency:5".

One organization of the three kinds, as text: the audit log's `organization` column, a channel's or a
notification's organizations, the admin page's filter. Built and read only here, so every place spells it
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AGENCY, DISTRICT, SCHOOL = "agency", "district", "school"
KINDS = (AGENCY, DISTRICT, SCHOOL)
# The model of each kind, by label (this package imports no app).
MODEL_KIND = {"core.agency": AGENCY, "core.district": DISTRICT, "core.school": SCHOOL}


def organization_model(kind: str) -> type[Any]:
    """The model of an organization kind (core's Agency, District or School), found by its label: the floor
    below core (this package, the audit log's page) names the organizations without importing core."""
    from django.apps import apps

    if kind not in KINDS:
        raise ValueError(f"not an organization kind: {kind!r}")
    return apps.get_model("core", kind)


@dataclass(frozen=True, order=True)
class OrgKey:
    """One organization, named by its kind and primary key."""

    kind: str
    id: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"not an organization kind: {self.kind!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> OrgKey:
        """`OrgKey.parse("school:12")`; a ValueError for anything else."""
        kind, sep, pk = (text or "").partition(":")
        if not sep or not pk.isdigit():
            raise ValueError(f"not an organization key: {text!r}")
        return cls(kind, int(pk))

    @classmethod
    def of(cls, organization: Any) -> OrgKey:
        """The key of an Agency, District or School instance (an unsaved one with a pk will do)."""
        kind = MODEL_KIND.get(getattr(getattr(organization, "_meta", None), "label_lower", ""))
        if kind is None or organization.pk is None:
            raise ValueError(f"not an agency, district or school: {organization!r}")
        return cls(kind, organization.pk)

    @classmethod
    def owner_of(cls, owned: Any) -> OrgKey:
        """The key of the one organization that owns `owned`: anything with `agency_id`, `district_id` and
        `school_id`, exactly one of them set (a membership, a channel; see owner.py)."""
        for kind in KINDS:
            pk = getattr(owned, f"{kind}_id", None)
            if pk is not None:
                return cls(kind, pk)
        raise ValueError(f"{owned!r} belongs to no organization")

    @classmethod
    def school(cls, pk: int) -> OrgKey:
        return cls(SCHOOL, pk)

    @classmethod
    def district(cls, pk: int) -> OrgKey:
        return cls(DISTRICT, pk)

    @classmethod
    def agency(cls, pk: int) -> OrgKey:
        return cls(AGENCY, pk)
