"""The permission matrix's object builders for the partnership (protocol: core/tests/matrix.py). Each part adds
its models in its own section."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.core.tests.matrix import Spec

MATRIX: dict[str, Spec] = {}


# --- Information-sharing agreements and the 24/7 contact directory ---


def _agreement(school: Any, user: Any = None) -> Any:
    from schoolsafe.partnership.models import SharingAgreement

    agreement = SharingAgreement.objects.create(title=f"Sharing in {school.district.name}", legal_basis="consent",
                                                data_categories=["attendance"], retention_days=365,
                                                effective_date=dt.date(2025, 8, 1))
    agreement.agencies.set(school.agencies.all())
    agreement.districts.set([school.district])
    return agreement


def _school_entry(school: Any, user: Any = None) -> Any:
    from schoolsafe.partnership.models import DirectoryEntry

    return DirectoryEntry.objects.create(kind="school", school=school, role="Principal", name="Pat Lee",
                                         phone="555-0100")


MATRIX["partnership.sharingagreement"] = Spec(build=_agreement)
# A school's entry is changed by the school's administrator and the district's director, not by the agency.
MATRIX["partnership.directoryentry"] = Spec(
    build=_school_entry, sees=lambda role, kind, action: not (action == "change" and kind == "agency"))
