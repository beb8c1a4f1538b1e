"""The abstract "owned by exactly one organization" model: an agency, a district or a school.

A membership is held in one organization, a notification channel belongs to one. The three foreign keys
and the check that exactly one is set are written once here. Each concrete model keeps its own related
name (`Agency.memberships`, `School.notification_channels`) and its own constraint name, so that the
tables and constraints in the database do not change.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models
from django.db.models import Q

from schoolsafe.access.orgkey import KINDS, OrgKey


class Organization(Protocol):
    """An agency, a district or a school (schoolsafe.core.models), as this package, which imports no app,
    can name them."""

    pk: Any

    @property
    def name(self) -> str: ...


# Exactly one of the three set.
ONE_ORGANIZATION = (
    Q(agency__isnull=False, district__isnull=True, school__isnull=True)
    | Q(agency__isnull=True, district__isnull=False, school__isnull=True)
    | Q(agency__isnull=True, district__isnull=True, school__isnull=False)
)


def organization_fields(related_name: str) -> tuple[models.ForeignKey, models.ForeignKey, models.ForeignKey]:
    """The agency, district and school foreign keys, for a model body:
    `agency, district, school = organization_fields("memberships")`."""
    return tuple(  # type: ignore[return-value]
        models.ForeignKey(f"core.{kind.capitalize()}", null=True, blank=True, on_delete=models.CASCADE,
                          related_name=related_name)
        for kind in KINDS
    )


def one_organization_constraint(name: str) -> models.CheckConstraint:
    """The check that exactly one organization is set, under the model's own constraint name."""
    return models.CheckConstraint(name=name, condition=ONE_ORGANIZATION)


class OwnedByOneOrganization(models.Model):
    """Something that belongs to exactly one agency, district or school.

    A subclass declares the fields (`organization_fields`) and the constraint
    (`one_organization_constraint`) in its own body and Meta: an abstract model's related names and
    constraint names would otherwise be shared by every subclass."""

    agency_id: int | None
    district_id: int | None
    school_id: int | None

    class Meta:
        abstract = True

    # Each is empty (None, "") only on an unsaved row that names no organization yet (a form being
    # validated); the constraint keeps such a row out of the database.

    @property
    def organization(self) -> Organization | None:
        return getattr(self, self.organization_kind) if self.org_key else None

    @property
    def organization_kind(self) -> str:
        return self.org_key.kind if self.org_key else ""

    @property
    def org_key(self) -> OrgKey | None:
        return next((OrgKey(kind, pk) for kind in KINDS if (pk := getattr(self, f"{kind}_id", None)) is not None),
                    None)

    @property
    def organization_key(self) -> str:
        """The key as text ("school:12"), as the audit log and the event payloads store it."""
        return str(self.org_key or "")
