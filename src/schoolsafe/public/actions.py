"""Writes to the public portal's content: each atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.public.models import Campaign, PublicEvent


def _org(obj: Campaign | PublicEvent) -> str:
    if obj.district_id:
        return str(OrgKey.district(obj.district_id))
    return str(OrgKey.agency(obj.agency_id)) if obj.agency_id else ""


def do_save_campaign(user: Any, campaign: Campaign, changed: list[str] | None = None) -> Campaign:
    """Create or update a campaign."""
    with transaction.atomic():
        created = campaign.pk is None
        campaign.full_clean()
        campaign.save()
        record(user, "public.create_campaign" if created else "public.change_campaign", campaign,
               organization=_org(campaign), summary={"changed": changed or [], "published": campaign.published})
    return campaign


def do_save_event(user: Any, event: PublicEvent, changed: list[str] | None = None) -> PublicEvent:
    """Create or update a public event (calendar subscribers see the change: SEQUENCE goes up)."""
    with transaction.atomic():
        created = event.pk is None
        if not created:
            event.sequence += 1
        event.full_clean()
        event.save()
        record(user, "public.create_event" if created else "public.change_event", event,
               organization=_org(event), summary={"changed": changed or [], "published": event.published})
    return event
