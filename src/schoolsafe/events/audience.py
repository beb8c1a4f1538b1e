"""Audience keys: who an event reaches. This is the access rule for events.

A key names a role in one organization ("school:12:staff", "agency:3:dispatcher",
"district:5:district_director") or one person ("user:7"). A subscriber's keys are one per membership
plus its own user key; an event reaches the subscriber when the two sets meet. The stream computes a
subscriber's keys once per connection, so a fan-out to thousands of streams is set arithmetic, not
thousands of queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from schoolsafe.access.roles import ROLES

ORG_KINDS = ("agency", "district", "school")
_KEY = re.compile(r"^(?:(agency|district|school):([1-9][0-9]{0,18}):([a-z_]+)|user:([1-9][0-9]{0,18}))$")


def check_key(key: str) -> str:
    """The key itself when well formed (a known organization kind and role, or a user), else ValueError."""
    match = _KEY.match(key) if isinstance(key, str) else None
    if match is None or (match.group(3) is not None and match.group(3) not in ROLES):
        raise ValueError(f"not an audience key: {key!r} (expected 'school:ID:role', 'agency:ID:role', "
                         f"'district:ID:role' or 'user:ID')")
    return key


def keys_for_user(user: Any) -> frozenset[str]:
    """The audience keys of a signed-in user: one per membership, plus `user:{id}`. Empty if inactive."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return frozenset()
    from schoolsafe.accounts.models import Membership

    keys = {f"user:{user.pk}"}
    for role, agency_id, district_id, school_id in Membership.objects.filter(user=user).values_list(
        "role", "agency_id", "district_id", "school_id"
    ):
        if school_id:
            keys.add(f"school:{school_id}:{role}")
        elif district_id:
            keys.add(f"district:{district_id}:{role}")
        elif agency_id:
            keys.add(f"agency:{agency_id}:{role}")
    return frozenset(keys)


def users_for_keys(keys: Iterable[str]) -> QuerySet:
    """The active users an audience reaches (the delivery report's intended recipients)."""
    from schoolsafe.accounts.models import Membership, User

    user_ids: set[int] = set()
    memberships = Q(pk__in=[])
    for key in keys:
        match = _KEY.match(check_key(key))
        assert match is not None
        kind, org_id, role, user_id = match.groups()
        if user_id:
            user_ids.add(int(user_id))
        else:
            memberships |= Q(role=role, **{f"{kind}_id": int(org_id)})
    reached = Q(pk__in=sorted(user_ids)) | Q(pk__in=Membership.objects.filter(memberships).values("user_id"))
    return User.objects.filter(reached, is_active=True).order_by("pk")


def may_see(keys: frozenset[str], audience: Iterable[str]) -> bool:
    """Whether a subscriber with `keys` may see an event addressed to `audience`."""
    return not keys.isdisjoint(audience)
