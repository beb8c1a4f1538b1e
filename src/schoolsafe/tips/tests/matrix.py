"""The permission matrix's object builder for tips (protocol in core/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.tips.models import Destination, Tip, TipRoute
from schoolsafe.tips.tests.factories import TipFactory


def _routed_everywhere(school: Any, user: Any) -> Tip:
    """A tip about `school`, routed to the school, police and the threat-assessment team, so that
    every role allowed to view a routed tip has its reason to see it."""
    tip = TipFactory.create(school=school)
    for destination in Destination.values:
        TipRoute.objects.create(tip=tip, destination=destination, routed_by=user)
    return tip


MATRIX = {"tips.tip": Spec(build=_routed_everywhere)}
