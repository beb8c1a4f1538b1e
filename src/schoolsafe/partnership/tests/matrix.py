"""The permission matrix's object builders for the partnership (protocol: core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.policies import PARTNERSHIP_LEADS
from schoolsafe.testing.factories import UserFactory

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


# --- Joint meetings and action items ---------------------------------------------------------------------
# The leads see by organization (an agency's administrators and supervisors, the district's director, the
# school's principal); every other role reaches a meeting only by being invited or owning an item, which the
# builders never make the persona.


def _meeting(school: Any, user: Any = None) -> JointMeeting:
    import datetime as dt

    from django.utils import timezone

    start = timezone.now() + dt.timedelta(days=7)
    return JointMeeting.objects.create(
        agency=school.agencies.order_by("pk").first(), district=school.district, school=school,
        title=f"Quarterly meeting, {school.name}", starts_at=start, ends_at=start + dt.timedelta(hours=1))


def _action_item(school: Any, user: Any = None) -> Model:
    meeting = _meeting(school)
    owner: Any = UserFactory(username=f"item_owner_{school.pk}_{JointMeeting.objects.count()}")
    return ActionItem.objects.create(meeting=meeting, title="Update the MOU", owner=owner, school=school,
                                     due_on=meeting.starts_at.date())


def _leads(role: str, kind: str, action: str) -> bool:
    return role in PARTNERSHIP_LEADS


MATRIX |= {
    "partnership.jointmeeting": Spec(build=_meeting, sees=_leads),
    "partnership.actionitem": Spec(build=_action_item, sees=_leads),
}
