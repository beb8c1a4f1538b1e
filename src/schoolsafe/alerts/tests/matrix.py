"""The permission matrix's object builders for the alerts app (protocol: core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from schoolsafe.alerts.audience import TIER_AUDIENCE
from schoolsafe.alerts.models import Alert, DrillWindow, Tier
from schoolsafe.core.tests.matrix import Spec
from schoolsafe.testing.factories import UserFactory


def _emergency(school: Any, user: Any) -> Alert:
    # Raised by someone else: the person who raised an alert always sees it, whatever their membership.
    raiser = UserFactory.create(username=f"raiser_{school.pk}")
    return Alert.objects.create(school=school, action="lockdown", tier=Tier.EMERGENCY, raised_by=raiser,
                                raised_at=timezone.now())


def _drill_window(school: Any, user: Any) -> DrillWindow:
    now = timezone.now()
    registrar = UserFactory.create(username=f"drill_registrar_{school.pk}")
    return DrillWindow.objects.create(school=school, starts_at=now, ends_at=now + dt.timedelta(hours=1),
                                      contact="Principal, 555-0100", registered_by=registrar, registered_at=now)


MATRIX: dict[str, Spec] = {
    # Drill windows: by role (alerts.policies.DRILL_WINDOW_ROLES, dispatch may view).
    "alerts.drillwindow": Spec(build=_drill_window),
    "alerts.alert": Spec(
        build=_emergency,
        # "raise" is decided on the school (alerts.policies.reaches_school); it lists no alert.
        lists_nothing=frozenset({"raise"}),
        # An alert is seen by its audience, granted per (organization kind, role): an officer of the agency
        # who is not the school's SRO, a district-level threat-assessment member, are not told.
        sees=lambda role, kind, action: (kind, role) in TIER_AUDIENCE[Tier.EMERGENCY],
    ),
}
