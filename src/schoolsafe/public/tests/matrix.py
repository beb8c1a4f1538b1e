"""The permission matrix's object builders for the public portal's content (protocol in core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.public.models import Campaign, PublicEvent


def _campaign(school: Any, user: Any) -> Campaign:
    # Run jointly by the school's district and the agency serving it, so district and agency staff both reach it.
    return Campaign.objects.create(slug=f"c-{school.pk}-{user.pk}", title_en="Say something", summary_en="Tell us.",
                                   district=school.district, agency=school.agencies.order_by("pk").first(),
                                   starts_on=dt.date(2026, 1, 1), published=True)


def _event(school: Any, user: Any) -> PublicEvent:
    start = timezone.now() + dt.timedelta(days=3)
    return PublicEvent.objects.create(title_en="Safety night", location="Gym", starts_at=start,
                                      ends_at=start + dt.timedelta(hours=2), district=school.district,
                                      agency=school.agencies.order_by("pk").first(), published=True)


def _by_organization(role: str, kind: str, action: str) -> bool:
    # Portal content belongs to a district or an agency; a membership in a single school manages none.
    return kind in ("district", "agency")


MATRIX = {
    "public.campaign": Spec(build=_campaign, sees=_by_organization),
    "public.publicevent": Spec(build=_event, sees=_by_organization),
}
