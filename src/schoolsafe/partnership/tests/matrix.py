"""The permission matrix's object builders for the partnership app (protocol: core/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from schoolsafe.core.tests.matrix import Spec

MATRIX: dict[str, Spec] = {}

# --- Joint meetings and action items ---------------------------------------------------------------------
# The leads see by organization (an agency's administrators and supervisors, the district's director, the
# school's principal); every other role reaches a meeting only by being invited or owning an item, which the
# builders never make the persona.
from schoolsafe.partnership.models import ActionItem, JointMeeting  # noqa: E402
from schoolsafe.partnership.policies import PARTNERSHIP_LEADS  # noqa: E402
from schoolsafe.testing.factories import UserFactory  # noqa: E402


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
