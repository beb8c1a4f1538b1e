"""Who may see and change notification channels (registered in the shared access policy table).

An organization's administrators configure its channels: an agency administrator those of the agency,
a district safety director those of the district and of the district's schools, a principal (school
administrator) those of the school. Nobody else sees them: a webhook URL or a list of phone numbers is
not for every teacher. A channel the user may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import organizations_of, register
from schoolsafe.notifications.models import NotificationChannel

CHANNEL_ADMINS = frozenset({"agency_admin", "district_director", "school_admin"})

def restrict_channels(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Channels of the organizations where `user` holds one of `roles`, and of the schools of such a district."""
    q = Q(pk__in=[])
    for key in organizations_of(user, roles):
        q |= Q(**{f"{key.kind}_id": key.id})
        if key.kind == "district":
            q |= Q(school__district_id=key.id)
    return queryset.filter(q, removed_at__isnull=True)


register("notifications.notificationchannel", {"view": CHANNEL_ADMINS, "change": CHANNEL_ADMINS},
         restrict=restrict_channels)


def configurable_organizations(user: Any) -> list[models.Model]:
    """The agencies, districts and schools whose channels `user` may configure, in a stable order."""
    from schoolsafe.core.models import Agency, District, School

    ids: dict[str, set[int]] = {"agency": set(), "district": set(), "school": set()}
    for key in organizations_of(user, CHANNEL_ADMINS):
        ids[key.kind].add(key.id)
    agency_ids, district_ids, school_ids = ids["agency"], ids["district"], ids["school"]
    organizations: list[models.Model] = []
    organizations += list(Agency.objects.filter(pk__in=agency_ids).order_by("name", "pk"))
    organizations += list(District.objects.filter(pk__in=district_ids).order_by("name", "pk"))
    organizations += list(
        School.objects.filter(Q(pk__in=school_ids) | Q(district_id__in=district_ids)).order_by("name", "pk")
    )
    return organizations


def access_channel(user: Any, channel_id: int, action: str = "view") -> NotificationChannel:
    """The channel `user` may `action`: 404 if they cannot see it, 403 if they see it but may not."""
    return get_or_404(NotificationChannel.objects.select_related("agency", "district", "school"), user, action,
                      pk=channel_id)
